"""Errors a user can cause; each message is one line that says what to do."""

from __future__ import annotations

__all__ = [
    "ArticleNotFoundError",
    "BnsearchError",
    "EmptySourceError",
    "IndexDamagedError",
    "IndexExistsError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexVersionError",
    "IndexWriteError",
    "InvalidArgumentError",
    "QueryError",
    "QueryTooBroadError",
    "SourceNotFoundError",
    "UnsafeIndexError",
]


class BnsearchError(Exception):
    """Base class: the command line prints the message and exits with status 2."""


class IndexNotFoundError(BnsearchError):
    """There is no index at the given path."""


class ArticleNotFoundError(BnsearchError, KeyError):
    """The index holds no article with the given id."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class SourceNotFoundError(BnsearchError):
    """A source given to index does not exist."""


class EmptySourceError(BnsearchError):
    """A source directory that held indexed articles is now empty: pruning
    it would delete them all (an unmounted disk looks like this)."""


class IndexExistsError(BnsearchError):
    """An index already exists where a new one was to be created."""


class IndexVersionError(BnsearchError):
    """The index was built by another schema or analyzer version."""


class IndexLockedError(BnsearchError):
    """Another process is writing the index."""


class QueryError(BnsearchError):
    """A query that cannot be searched, even as plain words."""


class QueryTooBroadError(QueryError):
    """A query that would cost more than the search budget allows: too many
    words, a prefix too short, or a search that ran out of time."""


class IndexDamagedError(BnsearchError):
    """An index file cannot be read: truncated, overwritten or corrupted."""


class UnsafeIndexError(BnsearchError):
    """The index's files could have been changed by another user; they hold
    pickled data, which can run code when read."""


class IndexWriteError(BnsearchError):
    """The system refused a write (a full disk, a size limit, permissions);
    the index was left as it was."""


class InvalidArgumentError(BnsearchError, ValueError):
    """An API call with an argument of the wrong type or out of range."""
