"""How a field's postings carry their values: Whoosh's Frequency and
Positions formats, made with fewer Python steps per word.

Whoosh counts a field's words through two dictionaries and, for positions,
pickles each word's list of position gaps; on the shared corpus that was a
tenth of the time of indexing. :class:`Counts` counts with a Counter;
:class:`ArrayPositions` stores positions as little-endian uint32 after
Whoosh's count, and reads them back for phrases. Token boosts are not
summed: bnsearch's analyzers never set one (every token weighs 1, and a
word's weight is its count times the field boost, as in Whoosh).

Both are pickled into every index's schema, so they live under this stable
module path.
"""

from __future__ import annotations

import sys
from array import array
from collections import Counter

from whoosh.fields import TEXT
from whoosh.formats import Frequency, Positions
from whoosh.system import _INT_SIZE, pack_uint

__all__ = ["ArrayPositions", "BengaliText", "Counts"]

_BIG_ENDIAN = sys.byteorder == "big"


def _texts(value: str, analyzer, kwargs: dict):
    return (t.text for t in analyzer(value, **kwargs) if not t.stopped)


def _indexed(value: str, analyzer, kwargs: dict) -> list[tuple[int, str]] | None:
    """A bnsearch analyzer's (position, term) pairs in one loop, when the
    call is a plain indexing one; None otherwise."""
    terms = getattr(analyzer, "indexed_terms", None)
    if terms is None or set(kwargs) - {"mode", "positions"} or not isinstance(value, str):
        return None
    return terms(value)


class Counts(Frequency):
    """Whoosh's Frequency format (the value is the count, packed)."""

    def postings(self, value, analyzer) -> list[tuple[bytes, int, float, bytes]] | None:
        """What :meth:`FieldType.index` yields for ``value``, as one list
        (term bytes, count, weight, value); None when the analyzer is not
        one fused loop."""
        indexed = _indexed(value, analyzer, {})
        if indexed is None:
            return None
        boost = self.field_boost
        counts = Counter(term for _, term in indexed)
        return [(w.encode(), n, n * boost, pack_uint(n)) for w, n in counts.items()]

    def word_values(self, value, analyzer, **kwargs):
        boost = self.field_boost
        indexed = _indexed(value, analyzer, kwargs)
        if indexed is not None:
            counts = Counter(term for _, term in indexed)
        else:
            counts = Counter(_texts(value, analyzer, kwargs))
        for word, count in counts.items():
            yield word, count, count * boost, pack_uint(count)


def _positions_by_term(indexed: list[tuple[int, str]]) -> dict[str, list[int]]:
    """Each term's positions, in order, from (position, term) pairs."""
    found: dict[str, list[int]] = {}
    for pos, term in indexed:
        positions = found.get(term)
        if positions is None:
            found[term] = [pos]
        else:
            positions.append(pos)
    return found


class ArrayPositions(Positions):
    """Whoosh's Positions format, with the positions as an array."""

    def postings(self, value, analyzer) -> list[tuple[bytes, int, float, bytes]] | None:
        """As :meth:`Counts.postings`, the value being the positions."""
        indexed = _indexed(value, analyzer, {})
        if indexed is None:
            return None
        boost, encode = self.field_boost, self.encode
        found = _positions_by_term(indexed)
        return [(w.encode(), len(p), len(p) * boost, encode(p)) for w, p in found.items()]

    def word_values(self, value, analyzer, **kwargs):
        boost = self.field_boost
        kwargs["positions"] = True
        indexed = _indexed(value, analyzer, kwargs)
        if indexed is None:
            indexed = [(t.pos, t.text) for t in analyzer(value, **kwargs) if not t.stopped]
        for word, positions in _positions_by_term(indexed).items():
            yield word, len(positions), len(positions) * boost, self.encode(positions)

    def encode(self, poslist) -> bytes:
        positions = array("I", poslist)
        if _BIG_ENDIAN:
            positions.byteswap()
        return pack_uint(len(positions)) + positions.tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        positions = array("I", valuestring[_INT_SIZE:])
        if _BIG_ENDIAN:
            positions.byteswap()
        return positions.tolist()


class BengaliText(TEXT):
    """Whoosh's TEXT field, indexed through its format's ``postings`` list
    (one list per field value instead of two nested generators)."""

    def index(self, value, **kwargs):
        if not kwargs and isinstance(value, str):
            postings = getattr(self.format, "postings", None)
            found = postings(value, self.analyzer) if postings is not None else None
            if found is not None:
                return found
        return super().index(value, **kwargs)
