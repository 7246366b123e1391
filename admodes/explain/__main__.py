"""``python -m admodes.explain seed``: the chapter's worked examples."""

from admodes.explain import main

if __name__ == "__main__":
    main()
