"""invest: kapitalkostnader for a public investment plan against the 8 % riktvarde."""

__version__ = "0.1.0"
