"""How a field's postings carry their values: Whoosh's Frequency and
Positions formats, made with fewer Python steps per word.

Whoosh counts a field's words through two dictionaries and, for positions,
pickles each word's list of position gaps; on the shared corpus that was a
tenth of the time of indexing. :class:`Counts` counts with a Counter;
:class:`ArrayPositions` stores positions as little-endian uint32 after
Whoosh's count, and reads them back for phrases. Token boosts are not
summed: bnsearch's analyzers never set one (every token weighs 1, and a
word's weight is its count times the field boost, as in Whoosh).

For the pool (:mod:`bnsearch.engine.pool`) both give a field value's
postings as columns — a list of terms, one of counts, of weights, of
values — from the analyzer's list of each word's term, counted in C; a
term's bytes, a count's weight and packed value are shared objects, the
same in every document.

Both are pickled into every index's schema, so they live under this stable
module path.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections import Counter
from collections.abc import Iterable

from whoosh.fields import TEXT
from whoosh.formats import Frequency, Positions
from whoosh.system import _INT_SIZE, pack_uint

from ..analysis.filters import Memo
from .pool import FieldColumns

__all__ = ["ArrayPositions", "BengaliText", "Counts"]

_BIG_ENDIAN = sys.byteorder == "big"
_ONE = pack_uint(1)
_POSITION = struct.Struct("<I")  # as array("I") stores it, little-endian


# A term's bytes, a count's weight and packed value, made once and shared:
# the same objects in every document, not one more object per posting for
# the pool to hold (and hash, and free).
_ENCODED = Memo(str.encode, limit=1 << 20)
_FLOAT = Memo(float)
_PACKED = Memo(pack_uint)


def _weights(counts: list[int], boost: float) -> list[float]:
    """Whoosh's weight of each word: its count times the field boost."""
    if boost == 1.0:
        return list(map(_FLOAT.__getitem__, counts))
    return [count * boost for count in counts]


def _texts(value: str, analyzer, kwargs: dict):
    return (t.text for t in analyzer(value, **kwargs) if not t.stopped)


def _indexed(value: str, analyzer, kwargs: dict) -> list[str | None] | None:
    """A bnsearch analyzer's term of each word by position (None: not
    indexed), when the call is a plain indexing one; None otherwise."""
    terms = getattr(analyzer, "indexed_terms", None)
    if terms is None or set(kwargs) - {"mode", "positions"} or not isinstance(value, str):
        return None
    return terms(value)


class Counts(Frequency):
    """Whoosh's Frequency format (the value is the count, packed)."""

    def columns(self, value, analyzer) -> FieldColumns | None:
        """The postings :meth:`FieldType.index` yields for ``value``, column
        by column; None when the analyzer is not one fused loop."""
        indexed = _indexed(value, analyzer, {})
        if indexed is None:
            return None
        counts = _counts(indexed)
        numbers = list(counts.values())
        return FieldColumns(
            list(map(_ENCODED.__getitem__, counts)),
            numbers,
            _weights(numbers, self.field_boost),
            list(map(_PACKED.__getitem__, numbers)),
        )

    def word_values(self, value, analyzer, **kwargs):
        boost = self.field_boost
        indexed = _indexed(value, analyzer, kwargs)
        if indexed is not None:
            counts = _counts(indexed)
        else:
            counts = Counter(_texts(value, analyzer, kwargs))
        for word, count in counts.items():
            yield word, count, count * boost, pack_uint(count)


def _counts(terms: list[str | None]) -> Counter:
    """How many times each term is indexed."""
    counts = Counter(terms)
    counts.pop(None, None)
    return counts


def _positions_by_term(indexed: Iterable[tuple[int, str | None]]) -> dict[str, list[int]]:
    """Each term's positions, in order, from (position, term) pairs (None:
    a word not indexed)."""
    found: dict[str, list[int]] = {}
    for pos, term in indexed:
        if term is None:
            continue
        positions = found.get(term)
        if positions is None:
            found[term] = [pos]
        else:
            positions.append(pos)
    return found


class ArrayPositions(Positions):
    """Whoosh's Positions format, with the positions as an array."""

    def columns(self, value, analyzer) -> FieldColumns | None:
        """As :meth:`Counts.columns`, the values being the positions."""
        indexed = _indexed(value, analyzer, {})
        if indexed is None:
            return None
        found = _positions_by_term(enumerate(indexed))
        numbers = list(map(len, found.values()))
        return FieldColumns(
            list(map(_ENCODED.__getitem__, found)),
            numbers,
            _weights(numbers, self.field_boost),
            list(map(self.encode, found.values())),
        )

    def word_values(self, value, analyzer, **kwargs):
        boost = self.field_boost
        kwargs["positions"] = True
        indexed = _indexed(value, analyzer, kwargs)
        if indexed is None:
            pairs = [(t.pos, t.text) for t in analyzer(value, **kwargs) if not t.stopped]
        else:
            pairs = enumerate(indexed)
        for word, positions in _positions_by_term(pairs).items():
            yield word, len(positions), len(positions) * boost, self.encode(positions)

    def encode(self, poslist) -> bytes:
        if len(poslist) == 1:  # most words of a section
            return _ONE + _POSITION.pack(poslist[0])
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
    """Whoosh's TEXT field, whose postings also come as columns
    (:class:`bnsearch.engine.pool.FieldColumns`): one list per column of a
    field value, for the pool, instead of a tuple per word."""

    def index_columns(self, value) -> FieldColumns | None:
        """The postings of ``value`` as columns; None when the format or the
        analyzer cannot give them so."""
        columns = getattr(self.format, "columns", None)
        if columns is None or not isinstance(value, str):
            return None
        return columns(value, self.analyzer)

    def index(self, value, **kwargs):
        if not kwargs:
            found = self.index_columns(value)
            if found is not None:
                return list(found)
        return super().index(value, **kwargs)
