"""Per index reader caches: what every query reads, made once per reader.

Searchers are kept per thread, and a reader belongs to one searcher, so
nothing here is shared between threads. Entries go with their reader.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import TypeVar

import numpy as np
from whoosh.codec.whoosh3 import W3Codec
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.reading import IndexReader, TermNotFound

__all__ = [
    "column",
    "memoized_term_lookups",
    "per_generation",
    "per_reader",
    "reference_sections",
]

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


def column_values(reader: IndexReader, name: str) -> list:
    """Every document's value of column ``name`` in a segment, as Whoosh's
    column reader gives them one by one, read in one piece: a variable-width
    column's data and a fixed-width number column's bytes (Whoosh 2.7.4's
    readers, pinned), with a value translated once per distinct value. The
    first search of a fresh process read 15,000 values one call at a time."""
    count = reader.doc_count_all()
    field = reader.schema[name]
    if isinstance(field.column_type, VarBytesColumn) and count:
        # The file read whole, its length (and offset) arrays with numpy:
        # Whoosh's reader builds them an item at a time.
        filename = W3Codec.column_filename(reader._segment, name)
        with reader._storage.open_file(filename) as stored:
            raw = bytes(stored.read())
        offsets, lengths = _var_bytes_arrays(raw, count)
        translate = field.from_column_value
        cache: dict[bytes, object] = {}
        values = []
        for start, size in zip(offsets.tolist(), lengths.tolist(), strict=True):
            piece = raw[start : start + size]
            value = cache.get(piece)
            if value is None:
                value = cache[piece] = translate(piece)
            values.append(value)
        return values
    outer = column(reader, name)
    inner = getattr(outer, "_reader", outer)
    translate = getattr(outer, "_translate", None) or (lambda value: value)
    if isinstance(inner, NumericColumn.Reader) and inner._typecode in "bBhHiIlLqQ":
        kind = np.dtype(">" + inner._typecode.replace("l", "i").replace("L", "I"))
        stored = min(inner._count, count)
        raw = np.frombuffer(inner._dbfile.get(inner._basepos, stored * kind.itemsize), dtype=kind)
        raw = np.concatenate([raw, np.full(count - stored, inner._default, dtype=kind)])
        distinct, positions = np.unique(raw, return_inverse=True)
        translated = [translate(int(value)) for value in distinct]
        return [translated[i] for i in positions.tolist()]
    return list(outer)


def _var_bytes_arrays(raw: bytes, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The offsets and lengths of a variable-width column file (Whoosh
    2.7.4's layout: the values, the lengths array, the offsets array when
    written, the lengths' type code, then the offsets' and "X" when
    written; arrays big-endian)."""

    def array_at(end: int, code: str) -> tuple[np.ndarray, int]:
        kind = np.dtype(code).newbyteorder(">")
        start = end - count * kind.itemsize
        return np.frombuffer(raw[start:end], dtype=kind).astype(np.int64), start

    end = len(raw) - 1
    offsets = None
    if raw[end : end + 1] == b"X":
        lengths_code, offsets_code = chr(raw[end - 2]), chr(raw[end - 1])
        offsets, end = array_at(end - 2, offsets_code)
    else:
        lengths_code = chr(raw[end])
    lengths, _ = array_at(end, lengths_code)
    if offsets is None:
        offsets = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    return offsets, lengths


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
    found = (getattr(sub, "segment", None) for sub in _segment_readers(reader))
    segments = (segment() for segment in found if callable(segment))
    return [segment for segment in segments if segment is not None]  # none when empty


@contextlib.contextmanager
def memoized_term_lookups(reader: IndexReader) -> Iterator[None]:
    """Within the block, each segment looks a term up in its term table once.

    A search asks for the same terms' statistics several times (the query's
    word frequencies, the idfs, the scorers, the posting reads, the
    suggestions): about 10,000 lookups for 2,800 distinct terms over the 110
    questions, each a few reads of Whoosh's on-disk hash table. The memo
    lives for one search only, so a repeated query is not made faster by an
    earlier one.
    """
    installed = []
    for segment_reader in _segment_readers(reader):
        terms = getattr(segment_reader, "_terms", None)  # Whoosh 2.7.4's term reader
        if terms is None or "term_info" in vars(terms):  # none, or memoized already
            continue
        terms.term_info, terms.doc_frequency = _memoized(terms)
        installed.append(terms)
    try:
        yield
    finally:
        for terms in installed:
            del terms.term_info, terms.doc_frequency


def _memoized(terms) -> tuple[Callable, Callable]:
    """term_info and doc_frequency of a Whoosh term reader, looked up once per
    term (a missing term raises TermNotFound or counts 0, as in Whoosh)."""
    lookup = type(terms).term_info
    found: dict[tuple[str, bytes], object] = {}

    def term_info(fieldname: str, text: bytes):
        key = (fieldname, text)
        info = found.get(key)
        if info is None:
            try:
                info = lookup(terms, fieldname, text)
            except TermNotFound:
                info = False
            found[key] = info
        if info is False:
            raise TermNotFound(f"{fieldname}:{text!r}")
        return info

    def doc_frequency(fieldname: str, text: bytes) -> int:
        try:
            return term_info(fieldname, text).doc_frequency()
        except TermNotFound:
            return 0

    return term_info, doc_frequency


def _segment_readers(reader: IndexReader) -> list:
    readers = getattr(reader, "readers", None)
    if readers:
        return [segment for sub in readers for segment in _segment_readers(sub)]
    return [reader]
