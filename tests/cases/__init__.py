"""Registry-walk cases by kind of op: each module defines ``CASES``, a list of ``walk.Case``."""
