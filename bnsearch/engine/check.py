"""``bnsearch check``: read every file of an index and compare what must agree.

Whoosh trusts the bytes it reads: a truncated or overwritten file raises
from deep inside it, and a damaged column can give wrong answers without
raising at all (a flipped byte in ``article_id`` counts sections under the
wrong article; an emptied field-length column reads as zeros, and rankings
change). The check reads each segment whole and compares:

- every stored document with every column (article id, ordinal, title,
  heading, source, content hash): a column file must be there and hold one
  value per document;
- every posting list with the term index (its length, deleted documents
  included, is the document frequency recorded) and, summed per document,
  with the field-length columns (each document's length, as Whoosh stores it
  in a byte, is what its postings add up to);
- across segments, that every article has a lead section (two writer
  processes may put one article's sections in different segments).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

import numpy as np
from whoosh import columns
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.reading import SegmentReader
from whoosh.util.numeric import length_to_byte

from .arrays import read_postings
from .codec import length_bytes

__all__ = ["check_index"]

_MAX_PROBLEMS = 20  # enough to see what is wrong; a damaged file repeats itself
# Columns that hold a copy of a stored field (the ranking and updates read them).
_COPIED = ("article_id", "ordinal", "title", "heading", "source", "content_hash")


def check_index(ix: whoosh_index.Index) -> list[str]:
    """The problems found in ``ix`` (empty when it is sound). Reading errors
    raised by Whoosh are left to the caller, which reports the index damaged."""
    problems: list[str] = []
    articles: set[str] = set()
    leads: set[str] = set()
    with ix.reader() as top:
        for number, (reader, _) in enumerate(top.leaf_readers(), 1):
            where = f"segment {number}"
            for problem in _check_segment(reader, where, articles, leads):
                problems.append(problem)
                if len(problems) >= _MAX_PROBLEMS:
                    return problems
    for article in sorted(articles - leads)[: _MAX_PROBLEMS - len(problems)]:
        problems.append(f"article {article!r} has no lead section")
    return problems


def _check_segment(
    reader: SegmentReader, where: str, articles: set[str], leads: set[str]
) -> Iterator[str]:
    if reader.doc_count_all() == 0:
        return
    yield from _check_column_files(reader, where)
    yield from _check_documents(reader, where, articles, leads)
    yield from _check_postings(reader, where)


def _column_file(reader: SegmentReader, name: str) -> str:
    return W3Codec.column_filename(reader._segment, name)  # Whoosh 2.7.4 (pinned)


def _check_column_files(reader: SegmentReader, where: str) -> Iterator[str]:
    """Every column the schema declares is there; a fixed-width one has no
    more than one value per document and no partial value."""
    storage, count = reader._storage, reader.doc_count_all()
    for name in _COPIED:
        filename = _column_file(reader, name)
        if not storage.file_exists(filename):
            yield f"{where}: the {name} column is missing"
            continue
        column = reader.schema[name].column_type
        if isinstance(column, columns.FixedBytesColumn):
            size, width = storage.file_length(filename), _width(column)
            if size != count * width:
                yield (
                    f"{where}: the {name} column has {size} bytes, "
                    f"{count} documents need {count * width}"
                )
    for name, field in reader.schema.items():
        if not field.scorable:
            continue
        filename = _column_file(reader, f"_{name}_len")
        if storage.file_exists(filename) and storage.file_length(filename) > count:
            yield f"{where}: the {name} length column is longer than the segment"


def _check_documents(
    reader: SegmentReader, where: str, articles: set[str], leads: set[str]
) -> Iterator[str]:
    """Every stored document against the columns that copy its fields."""
    present = [n for n in _COPIED if reader._storage.file_exists(_column_file(reader, n))]
    readers = {name: reader.column_reader(name) for name in present}
    for docnum in range(reader.doc_count_all()):
        if reader.is_deleted(docnum):
            continue
        stored = reader.stored_fields(docnum)
        article = stored.get("article_id")
        if not isinstance(article, str) or not isinstance(stored.get("ordinal"), int):
            yield f"{where}: document {docnum} has no article id or ordinal"
            continue
        for name, column in readers.items():
            value, expected = column[docnum], stored.get(name, "")
            if isinstance(value, bytes) and isinstance(expected, str):
                value = value.decode("utf-8", "replace")
            if value != expected:
                yield (
                    f"{where}: document {docnum}: the {name} column says {_short(value)}, "
                    f"the stored fields {_short(expected)}"
                )
        articles.add(article)
        if stored["ordinal"] == 0:
            leads.add(article)


def _check_postings(reader: SegmentReader, where: str) -> Iterator[str]:
    """Every posting list against the term index, and the postings' sum per
    document against the field-length columns."""
    count = reader.doc_count_all()
    totals: dict[str, np.ndarray] = {}
    for fieldname, text in reader.all_terms():
        field = reader.schema[fieldname]
        if not field.indexed:
            continue
        info = reader.term_info(fieldname, text)
        key = text if isinstance(text, bytes) else field.to_bytes(text)
        ids, frequencies = read_postings(reader, fieldname, key, deleted=True)
        if len(ids) != info.doc_frequency():
            yield (
                f"{where}: {fieldname} term {text!r} has {len(ids)} postings, "
                f"the term index says {info.doc_frequency()}"
            )
        if len(ids) and (ids.min() < 0 or ids.max() >= count):
            yield f"{where}: {fieldname} term {text!r} has postings past the segment's end"
            continue
        if field.scorable:
            total = totals.setdefault(fieldname, np.zeros(count, dtype=np.int64))
            np.add.at(total, ids, np.rint(frequencies).astype(np.int64))
    for fieldname, field in reader.schema.items():
        if not field.scorable:
            continue
        stored = np.frombuffer(length_bytes(reader._perdoc, fieldname, count), dtype=np.uint8)
        computed = totals.get(fieldname, np.zeros(count, dtype=np.int64))
        expected = np.array([length_to_byte(int(n)) if n else 0 for n in computed], np.uint8)
        wrong = np.flatnonzero(stored[:count] != expected)
        if len(wrong):
            docnum = int(wrong[0])
            yield (
                f"{where}: the {fieldname} length column disagrees with the postings for "
                f"{len(wrong)} document(s) (document {docnum}: {int(stored[docnum])}, "
                f"expected {int(expected[docnum])})"
            )


def _width(column: columns.FixedBytesColumn) -> int:
    """Bytes per value of a fixed-width column."""
    if isinstance(column, columns.NumericColumn):
        return struct.calcsize(column._typecode)
    return column._fixedlen


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"
