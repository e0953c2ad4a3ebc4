"""invest: kapitalkostnader for a public investment plan against the 8 % riktvarde."""

from invest.base.memory import tune_malloc

__version__ = "0.1.0"

tune_malloc()  # before polars and numpy start their threads
