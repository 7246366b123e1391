"""One module per GradBench eval; each exposes the eval's functions as ``protocol.Function``."""
