"""Per index reader caches: what every query reads, made once per reader.

Searchers are kept per thread, and a reader belongs to one searcher, so
nothing here is shared between threads. Entries go with their reader.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import TypeVar

from whoosh.reading import IndexReader

__all__ = ["column", "per_generation", "per_reader", "reference_sections"]

_T = TypeVar("_T")
# Per index reader: made once, read by every query. (Searchers are kept per
# thread, so nothing here is shared between threads.)
_PER_READER: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def per_reader(reader: IndexReader, key: object, make: Callable[[], _T]) -> _T:
    cache = _PER_READER.get(reader)
    if cache is None:
        cache = _PER_READER[reader] = {}
    found = cache.get(key)
    if found is None:
        found = cache[key] = make()
    return found


def column(reader: IndexReader, name: str):
    """The reader's column ``name``: making one reads the column's whole
    offset table, a millisecond or two per segment on the shared corpus."""
    return per_reader(reader, ("column", name), lambda: reader.column_reader(name))


def reference_sections(reader: IndexReader) -> frozenset[int]:
    """The reader's reference sections: one read of a short posting list,
    rather than a column lookup for every match of every query."""

    def read() -> frozenset[int]:
        term = reader.schema["is_reference"].to_bytes(True)
        if ("is_reference", term) not in reader:
            return frozenset()
        return frozenset(reader.postings("is_reference", term).all_ids())

    return per_reader(reader, "reference sections", read)


_SHARED: dict[tuple, object] = {}
_SHARED_LOCK = threading.Lock()
_SHARED_KEEP = 8  # entries kept (a few generations of a few kinds)


def per_generation(reader: IndexReader, key: object, make: Callable[[], _T]) -> _T:
    """Like per_reader, but one value for every reader of the same index
    generation (the same segments), whichever thread it belongs to: for what
    is costly to make (a second or more) and only read afterwards."""
    readers = getattr(reader, "readers", None) or [reader]
    folder = getattr(getattr(readers[0], "_storage", None), "folder", None)
    segments = tuple(sorted(s.segment_id() for s in _segments(reader)))
    ident = (folder, segments, key)
    with _SHARED_LOCK:
        found = _SHARED.get(ident)
        if found is None:
            found = _SHARED[ident] = make()
            while len(_SHARED) > _SHARED_KEEP:
                _SHARED.pop(next(iter(_SHARED)))
        return found  # type: ignore[return-value]


def _segments(reader: IndexReader) -> list:
    readers = getattr(reader, "readers", None)
    if readers:
        return [segment for sub in readers for segment in _segments(sub)]
    segment = getattr(reader, "segment", None)
    return [segment()] if callable(segment) else []
