"""Whoosh's W3 codec, with posting blocks that read as arrays.

Whoosh pickles each block of up to 128 postings as tuples of Python
numbers (and a tuple of bytes for the positions) and zlib-compresses it.
Unpickling those tuples was most of the time of reading a long posting list
(on a gigabyte of text, 60% of a question's search). Here a block's
document-number gaps, term frequencies and positions are each one byte
string — little-endian uint32 gaps, float32 frequencies (or Whoosh's None /
single float when they are all equal), and the positions joined with their
lengths — so that :mod:`bnsearch.engine.arrays` reads them with
``numpy.frombuffer``, and Whoosh's own matchers (phrases, merges) read them
through :class:`ArrayBlockMatcher`. The block header (count, last id, max
weight, compression, lengths) is Whoosh's, so skipping works as before.

Blocks of fewer than COMPRESS_FROM postings are left uncompressed: most terms
of a Bengali corpus are that rare, and compressing a few dozen bytes costs
mostly zlib's set-up.

The codec is pickled into every segment the index lists, so it lives under
this stable module path.
"""

from __future__ import annotations

import sys
from array import array

import numpy as np
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher, W3PostingsWriter
from whoosh.matching import ListMatcher

__all__ = ["COMPRESS_FROM", "FREQUENCIES", "GAPS", "ArrayBlockCodec", "ArrayBlockMatcher"]

COMPRESS_FROM = 4  # postings in a block

GAPS = np.dtype("<u4")
FREQUENCIES = np.dtype("<f4")


class ArrayBlockPostingsWriter(W3PostingsWriter):
    def __init__(self, dbfile, compression: int = 3, **kwargs: object) -> None:
        super().__init__(dbfile, compression=compression, **kwargs)
        self._level = compression

    def _write_block(self, last: bool = False) -> None:
        self._compression = self._level if len(self._ids) >= COMPRESS_FROM else 0
        super()._write_block(last)

    def _mini_ids(self):
        if self._byteids:
            return super()._mini_ids()
        ids = self._ids  # array("I"): few per block, so plain Python is quickest
        gaps = array("I", [b - a for a, b in zip((0, *ids), ids, strict=False)])
        return _little(gaps).tobytes()

    def _mini_weights(self):
        weights = self._weights  # array("f")
        first = weights[0]
        if weights.count(first) == len(weights):
            return None if first == 1.0 else first
        return _little(weights).tobytes()

    def _mini_values(self):
        fixed = self._format.fixed_value_size()
        if fixed is not None and fixed >= 0:
            return super()._mini_values()
        values = self._values
        if not values:
            return None
        return (np.array([len(v) for v in values], dtype=GAPS).tobytes(), b"".join(values))


def _little(numbers: array) -> array:
    """``numbers`` in little-endian order (as GAPS and FREQUENCIES say)."""
    if sys.byteorder == "little":
        return numbers
    swapped = array(numbers.typecode, numbers)
    swapped.byteswap()
    return swapped


class ArrayBlockMatcher(W3LeafMatcher):
    """Whoosh's matcher over blocks written by :class:`ArrayBlockPostingsWriter`."""

    def _read_ids(self) -> None:
        if self._data is None:
            self._read_data()
        gaps = self._data[0]
        if isinstance(gaps, bytes):
            self._ids = tuple(np.frombuffer(gaps, dtype=GAPS).cumsum(dtype=np.int64).tolist())
        else:  # byte ids (term vectors): as Whoosh wrote them
            self._ids = gaps

    def _read_weights(self) -> None:
        if self._data is None:
            self._read_data()
        weights = self._data[1]
        if isinstance(weights, bytes):
            native = np.frombuffer(weights, dtype=FREQUENCIES).astype(np.float32, copy=False)
            self._weights = array("f", native.tobytes())
        else:
            super()._read_weights()

    def _read_values(self) -> None:
        if self._data is None:
            self._read_data()
        values = self._data[2]
        if isinstance(values, tuple) and len(values) == 2 and isinstance(values[0], bytes):
            lengths, joined = values
            ends = np.frombuffer(lengths, dtype=GAPS).cumsum().tolist()
            starts = [0, *ends[:-1]]
            self._values = tuple(joined[s:e] for s, e in zip(starts, ends, strict=True))
        elif values is None and self._fixedsize is None:
            self._values = (b"",) * self._blocklength
        else:
            super()._read_values()


class ArrayBlockCodec(W3Codec):
    def postings_writer(self, dbfile, byteids: bool = False) -> ArrayBlockPostingsWriter:
        return ArrayBlockPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return ListMatcher(
                ids, weights, values, format_, scorer=scorer, term=term, terminfo=terminfo
            )
        offset, length = terminfo.extent()
        return ArrayBlockMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)
