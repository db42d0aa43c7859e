"""bnsearch: full-text search for Bengali.

from bnsearch import Index

with Index.open("index") as index:
    for hit in index.search("কাতারের রাজধানী"):
        print(hit.rank, hit.title, hit.section, hit.snippet)
"""

__version__ = "0.1.0"

__all__ = ["Article", "Hit", "Index", "Results", "__version__"]


def __getattr__(name: str):
    # Imported on first use: `bnsearch --version` and the analysis modules
    # need not load Whoosh's search machinery.
    if name in ("Index", "Results"):
        from . import api

        return getattr(api, name)
    if name == "Hit":
        from .search import Hit

        return Hit
    if name == "Article":
        from .corpus import Article

        return Article
    raise AttributeError(f"module 'bnsearch' has no attribute {name!r}")
