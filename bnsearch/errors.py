"""Errors a user can cause; each message is one line that says what to do."""

from __future__ import annotations

__all__ = [
    "BnsearchError",
    "IndexExistsError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexVersionError",
    "QueryError",
]


class BnsearchError(Exception):
    """Base class: the command line prints the message and exits with status 2."""


class IndexNotFoundError(BnsearchError):
    """There is no index at the given path."""


class IndexExistsError(BnsearchError):
    """An index already exists where a new one was to be created."""


class IndexVersionError(BnsearchError):
    """The index was built by another schema or analyzer version."""


class IndexLockedError(BnsearchError):
    """Another process is writing the index."""


class QueryError(BnsearchError):
    """A query that cannot be searched, even as plain words."""
