"""bnsearch: full-text search for Bengali."""

__version__ = "0.1.0"
