"""Per index reader caches: what every query reads, made once per reader.

Searchers are kept per thread, and a reader belongs to one searcher, so
nothing here is shared between threads. Entries go with their reader.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TypeVar

from whoosh.reading import IndexReader

__all__ = ["column", "per_reader", "reference_sections"]

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
