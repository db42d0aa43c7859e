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

import struct
import sys
import zlib
from array import array
from pickle import dumps

import numpy as np
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3LeafMatcher,
    W3PerDocReader,
    W3PostingsWriter,
    W3TermInfo,
)
from whoosh.matching import ListMatcher
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

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

    def add_posting(self, id_: int, weight: float, vbytes: bytes, length: int | None = None):
        # Whoosh's, without its per-posting type assertions (the postings
        # come from Whoosh's own pool, already checked when they entered it).
        if len(self._ids) >= self._blocklimit:
            self._write_block()
        self._ids.append(id_)
        self._weights.append(weight)
        if weight > self._maxweight:
            self._maxweight = weight
        if vbytes:
            self._values.append(vbytes)
        if length:
            if self._minlength is None or length < self._minlength:
                self._minlength = length
            if length > self._maxlength:
                self._maxlength = length

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


_UINT_LE = struct.Struct("<I")
_LENGTH_OF_BYTE = [byte_to_length(b) if b else 0 for b in range(256)]


class ArrayBlockFieldWriter(W3FieldWriter):
    """Whoosh's field writer, with a segment's postings written a term at a
    time: Whoosh calls a method per posting (and looks each posting's
    document length up in the column file); here a term's postings are
    gathered from the sorted pool, each field's document lengths are read
    once, and the blocks and the term info are made from whole lists — the
    same bytes as Whoosh's W3 writer with :class:`ArrayBlockPostingsWriter`
    (tests/test_indexing.py compares them)."""

    def add_postings(self, schema, lengths, items) -> None:
        if not isinstance(lengths, W3PerDocReader):
            super().add_postings(schema, lengths, items)
            return
        last_field = last_text = None
        table: list[int] = []
        postings: list = []
        for item in items:
            fieldname, btext, docnum = item[0], item[1], item[2]
            if fieldname != last_field:
                if last_text is not None:
                    self._write_term(last_text, postings, table)
                if last_field is not None:
                    self.finish_field()
                self.start_field(fieldname, schema[fieldname])
                table = _field_lengths(lengths, fieldname)
                last_field, last_text = fieldname, None
            if docnum == -1:  # a word for the spelling graph, not a posting
                continue
            if btext != last_text:
                if last_text is not None:
                    self._write_term(last_text, postings, table)
                postings = []
                last_text = btext
            postings.append(item)
        if last_text is not None:
            self._write_term(last_text, postings, table)
        if last_field is not None:
            self.finish_field()

    def _write_term(self, btext: bytes, postings: list, table: list[int]) -> None:
        """One term's posting list, in blocks of up to the codec's block
        limit, and its row in the term table."""
        writer: ArrayBlockPostingsWriter = self._postwriter
        postfile = self._postfile
        limit, level = writer._blocklimit, writer._level
        fixed = self._format.fixed_value_size()
        variable = fixed is None or fixed < 0
        start = postfile.tell()
        if len(postings) == 1:  # most terms of a segment: one block of one posting
            self._write_single(btext, postings[0], table, fixed, variable, start)
            return
        _, _, ids, weights, values = zip(*postings, strict=True)
        postfile.write(WHOOSH3_HEADER_MAGIC)
        total_weight = 0.0
        min_length = None
        max_length = max_weight = 0
        count = len(ids)
        for at in range(0, count, limit):
            block_ids = ids[at : at + limit]
            block_weights = array("f", weights[at : at + limit])
            total_weight += sum(block_weights)
            found = [table[d] for d in block_ids] if table else []
            nonzero = [n for n in found if n]
            block_min = min(nonzero) if nonzero else None
            block_max = max(nonzero) if nonzero else 0
            block_weight = max(0, max(weights[at : at + limit]))
            gaps = array("I", [b - a for a, b in zip((0, *block_ids), block_ids, strict=False)])
            first = block_weights[0]
            if block_weights.count(first) == len(block_weights):
                mini_weights = None if first == 1.0 else first
            else:
                mini_weights = _little(block_weights).tobytes()
            block_values = [v for v in values[at : at + limit] if v]
            if not variable:
                mini_values = None if fixed == 0 else b"".join(block_values)
            elif block_values:
                sizes = array("I", [len(v) for v in block_values])
                mini_values = (_little(sizes).tobytes(), b"".join(block_values))
            else:
                mini_values = None
            data = dumps((_little(gaps).tobytes(), mini_weights, mini_values), 2)
            compression = level if len(block_ids) >= COMPRESS_FROM else 0
            if compression:
                data = zlib.compress(data, compression)
            info = dumps(
                (
                    len(block_ids),
                    block_ids[-1],
                    block_weight,
                    compression,
                    length_to_byte(block_min),
                    length_to_byte(block_max),
                ),
                2,
            )
            size = len(info) + len(data)
            postfile.write_int(-size if at + limit >= count else size)
            postfile.write(info)
            postfile.write(data)
            if block_min is not None:
                min_length = block_min if min_length is None else min(min_length, block_min)
            max_length = max(max_length, block_max)
            max_weight = max(max_weight, block_weight)
        info = W3TermInfo(
            weight=total_weight,
            df=count,
            minlength=min_length,
            maxlength=max_length,
            maxweight=max_weight,
            minid=ids[0],
            maxid=ids[-1],
        )
        info.set_extent(start, postfile.tell() - start)
        self._tindex.add(pack_ushort(self._fieldid) + btext, info.to_bytes())

    def _write_single(
        self, btext: bytes, posting: tuple, table: list[int], fixed, variable: bool, start: int
    ) -> None:
        """_write_term for a posting list of one posting, without the loops."""
        _, _, docnum, weight, value = posting
        length = table[docnum] if table else 0
        stored_weight = array("f", (weight,))[0]  # as the block stores it
        if not value:
            values = None if variable or fixed == 0 else b""
        elif variable:
            values = (_UINT_LE.pack(len(value)), value)
        else:
            values = None if fixed == 0 else value
        data = dumps(
            (_UINT_LE.pack(docnum), None if stored_weight == 1.0 else stored_weight, values), 2
        )
        length_byte = length_to_byte(length or None)
        block_weight = max(0, weight)
        info = dumps((1, docnum, block_weight, 0, length_byte, length_to_byte(length)), 2)
        postfile = self._postfile
        postfile.write(WHOOSH3_HEADER_MAGIC)
        postfile.write_int(-(len(info) + len(data)))
        postfile.write(info)
        postfile.write(data)
        term = W3TermInfo(
            weight=stored_weight,
            df=1,
            minlength=length or None,
            maxlength=length,
            maxweight=block_weight,
            minid=docnum,
            maxid=docnum,
        )
        term.set_extent(start, postfile.tell() - start)
        self._tindex.add(pack_ushort(self._fieldid) + btext, term.to_bytes())


def _field_lengths(lengths: W3PerDocReader, fieldname: str) -> list[int]:
    """Every document's length in ``fieldname`` as Whoosh's doc_field_length
    gives it (0 for none); [] when the field has no lengths."""
    column = lengths._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    if column is None:
        return []
    raw = column._dbfile.get(column._basepos, column._count)
    # Documents past the column's end have no length in the field (0).
    return [_LENGTH_OF_BYTE[b] for b in bytes(raw).ljust(lengths._doccount + 1, b"\0")]


class ArrayBlockCodec(W3Codec):
    def field_writer(self, storage, segment) -> ArrayBlockFieldWriter:
        return ArrayBlockFieldWriter(self, storage, segment)

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
