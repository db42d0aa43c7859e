"""bnsearch: full-text search for Bengali.

from bnsearch import Index

with Index.open("index") as index:
    for hit in index.search("কাতারের রাজধানী"):
        print(hit.rank, hit.title, hit.section, hit.snippet)
"""

__version__ = "0.1.0"

from .errors import (
    ArticleNotFoundError,
    BnsearchError,
    EmptySourceError,
    IndexDamagedError,
    IndexExistsError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    IndexWriteError,
    InvalidArgumentError,
    QueryError,
    QueryTooBroadError,
    SourceNotFoundError,
    UnsafeIndexError,
)
from .model import Article, Hit, IndexReport, IndexStats, Results, Section, SectionHit

__all__ = [
    "Article",
    "ArticleNotFoundError",
    "BnsearchError",
    "EmptySourceError",
    "Hit",
    "Index",
    "IndexDamagedError",
    "IndexExistsError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexReport",
    "IndexStats",
    "IndexVersionError",
    "IndexWriteError",
    "InvalidArgumentError",
    "QueryError",
    "QueryTooBroadError",
    "Results",
    "Section",
    "SectionHit",
    "SourceNotFoundError",
    "UnsafeIndexError",
    "__version__",
]


def __getattr__(name: str):
    # Imported on first use: `bnsearch --version` and the analysis modules
    # need not load Whoosh's search machinery.
    if name == "Index":
        from .api import Index

        return Index
    raise AttributeError(f"module 'bnsearch' has no attribute {name!r}")
