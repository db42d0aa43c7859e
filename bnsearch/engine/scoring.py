"""BM25F for sections: Whoosh's formula, reference sections discounted, and
the field lengths read once per segment.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.reading import IndexReader, SegmentReader
from whoosh.scoring import BM25F, BM25FScorer
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from .cache import per_reader, reference_sections

__all__ = ["REFERENCE_DISCOUNT", "LengthTableScorer", "SectionWeighting"]

REFERENCE_DISCOUNT = 0.3  # reference and link-list sections rank lower


class SectionWeighting(BM25F):
    """BM25F, with reference sections' scores multiplied by a discount."""

    use_final = True

    def __init__(self, reference_discount: float = REFERENCE_DISCOUNT, **kwargs: float) -> None:
        super().__init__(**kwargs)
        self.reference_discount = reference_discount
        self._last: tuple[IndexReader | None, frozenset[int]] = (None, frozenset())

    def scorer(self, searcher: Searcher, fieldname: str, text: bytes, qf: int = 1):
        reader = searcher.reader()
        if not searcher.schema[fieldname].scorable or not isinstance(reader, SegmentReader):
            return super().scorer(searcher, fieldname, text, qf=qf)
        B = self._field_B.get(fieldname, self.B)
        return LengthTableScorer(searcher, fieldname, text, B, self.K1, qf=qf)

    def final(self, searcher: Searcher, docnum: int, score: float) -> float:
        reader, references = self._last  # one tuple: weightings may be shared by threads
        if reader is not searcher.reader():
            reader = searcher.reader()
            references = reference_sections(reader)
            self._last = (reader, references)
        return score * self.reference_discount if docnum in references else score


class LengthTableScorer(BM25FScorer):
    """Whoosh's BM25F scorer, with the field's length byte of every section
    read once per segment and the length part of the formula computed once
    per length byte: Whoosh looks each length up in the column file, which
    was a tenth of the time of a query matching thousands of sections. The
    scores are the same, operation for operation."""

    def __init__(
        self, searcher: Searcher, fieldname: str, text: bytes, B: float, K1: float, qf: int = 1
    ) -> None:
        super().__init__(searcher, fieldname, text, B, K1, qf=qf)
        reader = searcher.reader()
        self._lengths = _length_bytes(reader, fieldname)
        key = ("length norms", fieldname, B, K1, self.avgfl)
        self._norms = per_reader(reader, key, lambda: _length_norms(B, K1, self.avgfl))
        self._k1_plus_1 = K1 + 1

    def score(self, matcher) -> float:
        tf = matcher.weight()
        return self.idf * ((tf * self._k1_plus_1) / (tf + self._norms[self._lengths[matcher.id()]]))


def _length_bytes(reader: SegmentReader, fieldname: str) -> bytes:
    """One byte per section: its ``fieldname`` length as Whoosh stores it
    (0 where the field is empty, so no term of it can match there)."""

    def read() -> bytes:
        count = reader.doc_count_all()
        perdoc = reader._perdoc  # Whoosh 2.7.4's per-document reader (pinned)
        column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        raw = b"" if column is None else column._dbfile.get(column._basepos, column._count)
        return bytes(raw).ljust(count, b"\0")

    return per_reader(reader, ("lengths", fieldname), read)


def _length_norms(B: float, K1: float, avgfl: float) -> list[float]:
    """BM25's ``K1 * ((1 - B) + B * fl / avgfl)`` for each length byte (byte
    0, never scored, as length 1, the default Whoosh's scorer asks for)."""
    return [K1 * ((1 - B) + B * (byte_to_length(b) if b else 1) / avgfl) for b in range(256)]
