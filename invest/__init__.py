"""invest: kapitalkostnader for a public investment plan against the 8 % riktvarde."""

from invest.base.memory import limit_arenas

__version__ = "0.1.0"

limit_arenas()  # before polars and numpy start their threads
