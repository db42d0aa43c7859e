"""What the searches of one searcher read again and again, made once.

A :class:`SearcherContext` belongs to one Whoosh searcher (searchers are
kept per thread, so it is never shared between threads) and goes with it:
per segment reader, the columns, field lengths, BM25 length tables, deleted
documents and reference sections (:class:`ReaderFacts`); per searcher, the
subjects of the leads read and the close spellings found. What is costly to
make and only read afterwards (the document table, the romanized forms) is
kept once per index generation in :class:`SharedFacts`, which all the
searchers of an open index share. The search pipeline owns a context and
passes it down; nothing is kept in module globals.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh.codec.whoosh3 import W3Codec
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.reading import IndexReader

from .codec import length_bytes

if TYPE_CHECKING:
    from .arrays import DocumentTable
    from .romanized import Forms

__all__ = [
    "Generation",
    "ReaderFacts",
    "SearcherContext",
    "SharedFacts",
    "column_values",
    "segment_readers",
]

# Leads and words whose findings a searcher keeps (a query reads up to a page's).
_KEPT = 1 << 14


class ReaderFacts:
    """What searches read about one index reader (a segment's, or the whole
    index's for its columns), each made when first asked for."""

    def __init__(self, reader: IndexReader) -> None:
        self.reader = reader
        self._columns: dict[str, Any] = {}
        self._field_lengths: dict[str, bytes] = {}
        self._length_norms: dict[tuple[str, float, float, float], list[float]] = {}
        self._norm_tables: dict[tuple[str, float, float, float], np.ndarray] = {}
        self._deleted: np.ndarray | None = None
        self._references: frozenset[int] | None = None

    def column(self, name: str) -> Any:
        """The column reader of ``name``: making one reads the column's whole
        offset table, a millisecond or two per segment on the shared corpus."""
        found = self._columns.get(name)
        if found is None:
            found = self._columns[name] = self.reader.column_reader(name)
        return found

    def field_lengths(self, fieldname: str) -> bytes:
        """One byte per section: its ``fieldname`` length as Whoosh stores
        it (0 where the field is empty, so no term of it can match there)."""
        found = self._field_lengths.get(fieldname)
        if found is None:
            reader = self.reader
            found = length_bytes(reader._perdoc, fieldname, reader.doc_count_all())  # type: ignore[attr-defined]
            self._field_lengths[fieldname] = found
        return found

    def length_norms(self, fieldname: str, B: float, K1: float, avgfl: float) -> list[float]:
        """BM25's ``K1 * ((1 - B) + B * fl / avgfl)`` for each length byte."""
        key = (fieldname, B, K1, avgfl)
        found = self._length_norms.get(key)
        if found is None:
            found = self._length_norms[key] = _length_norms(B, K1, avgfl)
        return found

    def norm_table(self, fieldname: str, B: float, K1: float, avgfl: float) -> np.ndarray:
        """Each section's BM25 length norm in ``fieldname`` (the length norms
        looked up by each section's length byte)."""
        key = (fieldname, B, K1, avgfl)
        found = self._norm_tables.get(key)
        if found is None:
            norms = np.array(self.length_norms(fieldname, B, K1, avgfl))
            lengths = np.frombuffer(self.field_lengths(fieldname), dtype=np.uint8)
            found = self._norm_tables[key] = norms[lengths]
        return found

    def deleted(self) -> np.ndarray:
        """The segment's deleted document numbers (every term of every query
        filters its postings with them)."""
        if self._deleted is None:
            deleted = self.reader._perdoc.deleted_docs()  # type: ignore[attr-defined]
            self._deleted = np.fromiter(deleted, dtype=np.int64)
        return self._deleted

    def references(self) -> frozenset[int]:
        """The reference sections: one read of a short posting list, rather
        than a column lookup for every match of every query."""
        if self._references is None:
            self._references = reference_sections(self.reader)
        return self._references


def _length_norms(B: float, K1: float, avgfl: float) -> list[float]:
    """BM25's ``K1 * ((1 - B) + B * fl / avgfl)`` for each length byte (byte
    0, never scored, as length 1, the default Whoosh's scorer asks for)."""
    from whoosh.util.numeric import byte_to_length

    return [K1 * ((1 - B) + B * (byte_to_length(b) if b else 1) / avgfl) for b in range(256)]


def reference_sections(reader: IndexReader) -> frozenset[int]:
    """The reader's reference sections, read from their posting list."""
    term = reader.schema["is_reference"].to_bytes(True)
    if ("is_reference", term) not in reader:
        return frozenset()
    return frozenset(reader.postings("is_reference", term).all_ids())


@dataclass
class Generation:
    """What is kept of one index generation (its segments and their live
    documents), made by the first searcher that needs it."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    document_table: DocumentTable | None = None
    romanized_forms: Forms | None = None


class SharedFacts:
    """The generations of one open index, shared by all its searchers,
    whichever thread they belong to; the last few are kept."""

    KEEP = 2  # the current generation and the one before, while searchers move on

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generations: dict[tuple, Generation] = {}

    def generation(self, reader: IndexReader) -> Generation:
        ident = _generation_of(reader)
        with self._lock:
            found = self._generations.get(ident)
            if found is None:
                found = self._generations[ident] = Generation()
                while len(self._generations) > self.KEEP:
                    self._generations.pop(next(iter(self._generations)))
            return found


def _generation_of(reader: IndexReader) -> tuple:
    """The folder, the segments and their live documents: a deletion keeps
    the segments but changes the table."""
    leaves = segment_readers(reader)
    folder = getattr(getattr(leaves[0], "_storage", None), "folder", None) if leaves else None
    found = []
    for leaf in leaves:
        segment = getattr(leaf, "segment", None)
        if callable(segment) and segment() is not None:
            found.append((segment().segment_id(), leaf.doc_count()))
    return (folder, tuple(sorted(found)))


class SearcherContext:
    """What one searcher's searches keep: per reader, its :class:`ReaderFacts`;
    the lead subjects, lead names and close spellings found; and the index's
    :class:`SharedFacts`."""

    def __init__(self, shared: SharedFacts | None = None) -> None:
        self.shared = shared if shared is not None else SharedFacts()
        # Keyed by the reader's id, the facts holding the reader itself: a
        # searcher's readers live as long as it does.
        self._facts: dict[int, ReaderFacts] = {}
        self._lead_subjects: dict[int, frozenset[str]] = {}
        self._lead_names: dict[int, tuple[str, ...]] = {}
        self._spellings: dict[tuple[str, bool], list[str]] = {}

    def renewed(self, reader: IndexReader) -> SearcherContext:
        """A context for a refreshed searcher reading ``reader``: the facts
        of the segment readers it reuses are kept, the rest (document
        numbers may have moved) is made anew."""
        fresh = SearcherContext(self.shared)
        for leaf in segment_readers(reader):
            found = self._facts.get(id(leaf))
            if found is not None and found.reader is leaf:
                fresh._facts[id(leaf)] = found
        return fresh

    def facts(self, reader: IndexReader) -> ReaderFacts:
        found = self._facts.get(id(reader))
        if found is None or found.reader is not reader:
            found = self._facts[id(reader)] = ReaderFacts(reader)
        return found

    def column(self, reader: IndexReader, name: str) -> Any:
        return self.facts(reader).column(name)

    def generation(self, reader: IndexReader) -> Generation:
        return self.shared.generation(reader)

    def lead_subject(self, lead: int, make: Callable[[], frozenset[str]]) -> frozenset[str]:
        """The subject terms of the lead ``lead`` (a document number), read once."""
        return _kept(self._lead_subjects, lead, make)

    def lead_names(self, lead: int, make: Callable[[], tuple[str, ...]]) -> tuple[str, ...]:
        """The other names the lead ``lead`` (a document number) gives, read once."""
        return _kept(self._lead_names, lead, make)

    def spellings(self, key: tuple[str, bool], make: Callable[[], list[str]]) -> list[str]:
        """The close spellings of a word (its form and how they are counted), found once."""
        return _kept(self._spellings, key, make)


def _kept(kept: dict, key: Any, make: Callable[[], Any]) -> Any:
    found = kept.get(key)
    if found is None:
        if len(kept) >= _KEPT:
            kept.clear()
        found = kept[key] = make()
    return found


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
    outer = reader.column_reader(name)
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


def segment_readers(reader: IndexReader) -> list:
    readers = getattr(reader, "readers", None)
    if readers:
        return [segment for sub in readers for segment in segment_readers(sub)]
    return [reader]
