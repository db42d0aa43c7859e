"""bnsearch: full-text search for Bengali.

from bnsearch import Index

with Index.open("index") as index:
    for hit in index.search("কাতারের রাজধানী"):
        print(hit.rank, hit.title, hit.section, hit.snippet)
"""

__version__ = "0.1.0"

# Nothing is imported here until it is used (PEP 562), but for the errors
# (a module of plain classes): the command's entry point must take Ctrl-C
# before the library's modules load.
from . import errors as _errors

_NAMES = {
    **dict.fromkeys(_errors.__all__, "errors"),
    **dict.fromkeys(
        ("Article", "Hit", "IndexReport", "IndexStats", "Results", "Section", "SectionHit"),
        "model",
    ),
    "Index": "api",
    "RankingConfig": "api",
}

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
    "RankingConfig",
    "Results",
    "Section",
    "SectionHit",
    "SourceNotFoundError",
    "UnsafeIndexError",
    "__version__",
]


def __getattr__(name: str):
    if name in _NAMES:
        from importlib import import_module

        return getattr(import_module(f".{_NAMES[name]}", __name__), name)
    raise AttributeError(f"module 'bnsearch' has no attribute {name!r}")
