"""Whoosh's W3 codec, with posting blocks that read as arrays.

Whoosh pickles each block of up to 128 postings as tuples of Python numbers
(and a tuple of bytes for the positions) and zlib-compresses the whole.
Unpickling and decompressing was most of the time of reading a long posting
list: on a gigabyte of text, 60% of a question's search. Here a block holds
up to BLOCK_POSTINGS postings, and its three parts are byte strings
(pickled with protocol 3, which stores bytes as they are) that
:mod:`bnsearch.engine.arrays` reads with ``numpy.frombuffer``:

* document-number gaps as unsigned integers of 1, 2 or 4 bytes, the
  narrowest that holds the block's largest gap (a long list of a common
  word mostly fits in one byte per posting, uncompressed);
* term frequencies as Whoosh writes them when they are all 1 (None) or all
  equal (one float), else unsigned integers of 1 or 2 bytes when they are
  whole numbers (they are: counts of words), else float32;
* the values (positions for phrases, Whoosh's copy of the frequency
  otherwise): each posting's byte string, joined after their sizes when
  they vary, zlib-compressed from COMPRESS_FROM postings on — only
  Whoosh's own matchers (phrases, merges) read them.

Which width a part has follows from its size and the posting count the
block header gives. The header (count, last id, max weight, compression 0,
length bytes) is Whoosh's, so Whoosh's skipping works as before; Whoosh's
matchers read the blocks through :class:`ArrayBlockMatcher`.

Writing: :class:`ArrayBlockFieldWriter` writes a segment's postings a term
at a time from whole lists; on 500 articles of the shared corpus in one
process, Whoosh's per-posting calls took 55% of indexing.

The codec is pickled into every segment the index lists, so it lives under
this stable module path.
"""

from __future__ import annotations

import functools
import itertools
import struct
import sys
import zlib
from array import array
from collections.abc import Iterable, Iterator, Sequence
from hashlib import md5
from operator import itemgetter, sub
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
from whoosh.filedb.filetables import OrderedHashWriter, md5_hash
from whoosh.filedb.filetables import _lengths as _KEY_VALUE_LENGTHS
from whoosh.matching import ListMatcher
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from .pool import FieldGroups, SortedField, SortedPool

__all__ = [
    "BLOCK_POSTINGS",
    "COMPRESS_FROM",
    "LENGTH_OF_BYTE",
    "ArrayBlockCodec",
    "ArrayBlockMatcher",
    "decode_frequencies",
    "decode_ids",
    "length_bytes",
]

BLOCK_POSTINGS = 1024  # postings in a block (Whoosh: 128)
COMPRESS_FROM = 4  # postings in a block before its positions are compressed
_LEVEL = 3  # zlib level, Whoosh's

# Pickle protocol of a block's data. Protocol 2 (Whoosh's) has no opcode
# for bytes: it stores each byte string as a call decoding latin-1 text,
# written as UTF-8, so compressed positions took half as much room again,
# and pickling and unpickling one block took 1.3 and 1.0 µs against 0.2 and
# 0.15. Any Python 3 reads either protocol.
_DATA_PROTOCOL = 3
_UNSIGNED = {1: np.dtype("u1"), 2: np.dtype("<u2"), 4: np.dtype("<u4")}
_BIG_ENDIAN = sys.byteorder == "big"
_FLOAT = np.dtype("<f4")


# --- one block --------------------------------------------------------------------------


def _narrowest(largest: int) -> str:
    """The array type code of the narrowest unsigned integer for ``largest``."""
    return "B" if largest < 1 << 8 else "H" if largest < 1 << 16 else "I"


@functools.cache
def _length_bytes() -> bytes:
    """length_to_byte of every length below 2**16, made when first written
    (15 ms: not at every start of a command that only reads)."""
    return bytes(length_to_byte(n) for n in range(1 << 16))


def _length_byte(length: int | None) -> int:
    """Whoosh's length_to_byte (0 for None), from a table for most lengths."""
    if length is None:
        return 0
    return _length_bytes()[length] if length < 1 << 16 else length_to_byte(length)


_ONE_NUMBER = {code: struct.Struct("<" + code) for code in "BHI"}


def _packed(typecode: str, numbers) -> bytes:
    """``numbers`` as little-endian bytes (the array module: quicker than
    numpy for the few numbers of most blocks)."""
    packed = array(typecode, numbers)
    if _BIG_ENDIAN:
        packed.byteswap()
    return packed.tobytes()


def encode_block(ids: Sequence[int], weights: Sequence[float], values, fixed) -> bytes:
    """A block's data: the pickled (gaps, frequencies, positions). ``values``
    holds each posting's value bytes (for formats of variable size, ``fixed``
    None or negative; joined for a fixed size; ignored for size 0). The
    per-posting steps are maps in C: most of a segment's postings pass here."""
    if len(ids) == 1:
        encoded_ids = _ONE_NUMBER[_narrowest(ids[0])].pack(ids[0])
    else:
        gaps = [ids[0], *map(sub, ids[1:], ids)]
        encoded_ids = _packed(_narrowest(max(gaps)), gaps)
    first = weights[0]
    if weights.count(first) == len(weights):
        encoded_weights = None if first == 1.0 else float(first)
    else:
        whole = list(map(int, weights))
        if whole == list(weights) and min(whole) >= 0:
            typecode = _narrowest(max(whole))
            encoded_weights = _packed(typecode if typecode != "I" else "f", whole)
        else:
            encoded_weights = _packed("f", weights)
    if fixed == 0 or not any(values):
        encoded_values = None
    else:
        blob = b"".join(values)
        if fixed is None or fixed < 0:  # each value's size first
            blob = _packed("I", list(map(len, values))) + blob
        if len(ids) >= COMPRESS_FROM:
            encoded_values = b"\x01" + zlib.compress(blob, _LEVEL)
        else:
            encoded_values = b"\x00" + blob
    return dumps((encoded_ids, encoded_weights, encoded_values), _DATA_PROTOCOL)


def decode_ids(gaps: bytes, count: int) -> np.ndarray:
    """A block's document numbers (int64)."""
    return np.frombuffer(gaps, dtype=_UNSIGNED[len(gaps) // count]).cumsum(dtype=np.int64)


def decode_frequencies(weights, count: int) -> np.ndarray:
    """A block's term frequencies (float64, of float32 values as Whoosh keeps them)."""
    if weights is None:
        return np.ones(count)
    if isinstance(weights, float):
        return np.full(count, np.float32(weights), dtype=np.float64)
    size = len(weights) // count
    dtype = _FLOAT if size == 4 else _UNSIGNED[size]
    return np.frombuffer(weights, dtype=dtype).astype(np.float64)


def _decode_values(values, count: int, fixed) -> tuple:
    if values is None:
        return (None,) * count if fixed == 0 else (b"",) * count
    blob = zlib.decompress(values[1:]) if values[:1] == b"\x01" else values[1:]
    if fixed is not None and fixed > 0:
        return tuple(blob[i : i + fixed] for i in range(0, len(blob), fixed))
    ends = np.frombuffer(blob, dtype=_UNSIGNED[4], count=count).cumsum() + 4 * count
    starts = [4 * count, *ends[:-1].tolist()]
    return tuple(blob[s:e] for s, e in zip(starts, ends.tolist(), strict=True))


def _block_info(
    count: int, last_id: int, max_weight: float, shortest: int | None, longest: int
) -> bytes:
    """The pickled block header, as Whoosh writes it (compression 0: each
    part of the data says how it is stored); ``shortest`` is the shortest
    non-zero field length (None: none), ``longest`` the longest (0: none)."""
    return dumps((count, last_id, max_weight, 0, _length_byte(shortest), _length_byte(longest)), 2)


# --- writing ---------------------------------------------------------------------------


class ArrayBlockPostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer, with blocks made by :func:`encode_block`
    (the path of segment merges)."""

    def add_posting(self, id_: int, weight: float, vbytes: bytes, length: int | None = None):
        # Whoosh's, without its per-posting type assertions (the postings come
        # from Whoosh's own readers), keeping every value, empty ones too.
        if len(self._ids) >= self._blocklimit:
            self._write_block()
        self._ids.append(id_)
        self._weights.append(weight)
        if weight > self._maxweight:
            self._maxweight = weight
        self._values.append(vbytes or b"")
        if length:
            if self._minlength is None or length < self._minlength:
                self._minlength = length
            if length > self._maxlength:
                self._maxlength = length

    def _write_block(self, last: bool = False) -> None:
        if self._byteids:  # term vectors: Whoosh's own blocks
            super()._write_block(last)
            return
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = encode_block(self._ids, self._weights, self._values, self._format.fixed_value_size())
        ids = self._ids
        info = _block_info(len(ids), ids[-1], self._maxweight, self._minlength, self._maxlength)
        size = len(info) + len(data)
        self._postfile.write_int(-size if last else size)
        self._postfile.write(info)
        self._postfile.write(data)
        self._blockcount += 1
        self._new_block()


_FIELD, _TERM = itemgetter(0), itemgetter(1)
_HASH_SLOT = struct.Struct("!Iq")  # Whoosh's hash table slot: hash, row position
_PENDING_TERMS = 4096
_FLOAT32 = struct.Struct("f")
_SIZE = struct.Struct("<I")
_TERM_INFO = W3TermInfo._struct
# Whoosh's field length for each length byte (byte 0: no length).
LENGTH_OF_BYTE = [byte_to_length(b) if b else 0 for b in range(256)]


class ArrayBlockFieldWriter(W3FieldWriter):
    """Whoosh's field writer, with a segment's postings written a term at a
    time: Whoosh calls a method per posting (and looks each posting's
    document length up in the column file); here a term's postings are
    gathered from the sorted pool, each field's document lengths are read
    once, and the blocks and the term info are made from whole lists — the
    same as Whoosh's postings writer would make with
    :class:`ArrayBlockPostingsWriter` (tests/test_indexing.py compares both
    with Whoosh's own codec)."""

    def __init__(self, codec: W3Codec, storage, segment) -> None:
        super().__init__(codec, storage, segment)
        self._tindex = _TermTableWriter(self._tindex)
        self._fieldmap = self._tindex.extras["fieldmap"]
        self._pending: list[bytes] = []  # postings not yet written to the file

    def _emit(self, written: bytes) -> None:
        """Write a term's postings, a few thousand terms at a time (a write
        call per term was a twentieth of the writer's time)."""
        pending = self._pending
        pending.append(written)
        if len(pending) >= _PENDING_TERMS:
            self._flush()

    def _flush(self) -> None:
        self._postfile.write(b"".join(self._pending))
        self._pending = []

    def add_postings(self, schema, lengths, items) -> None:
        if not isinstance(lengths, W3PerDocReader):
            super().add_postings(schema, lengths, items)
            return
        # Where the next term's postings start, kept here: asking the file
        # (tell) was a tenth of the time of indexing.
        self._position = self._postfile.tell()
        # Each term's postings as lists: the pool gives them so; Whoosh's
        # sorted tuples (segment merges) are cut into terms in C by groupby.
        fields = items.fields() if isinstance(items, SortedPool) else _term_groups(items)
        for field in fields:
            self._add_field(schema, lengths, field)
        self._flush()

    def _add_field(self, schema, lengths, field: SortedField | FieldGroups) -> None:
        """A field's postings, a term's at a time, from its term groups."""
        fieldname = field.fieldname
        groups = field.groups()
        first = next(groups, None)
        if first is None:
            return
        self.start_field(fieldname, schema[fieldname])
        table = _field_lengths(lengths, fieldname)
        fixed = self._format.fixed_value_size()
        for btext, ids, weights, values in itertools.chain((first,), groups):
            if -1 in ids:  # words for a spelling graph, not postings
                kept = [at for at, docnum in enumerate(ids) if docnum != -1]
                if not kept:
                    continue
                parts = (ids, weights, values)
                ids, weights, values = ([part[at] for at in kept] for part in parts)
            self._write_term(btext, ids, weights, values, table, fixed)
        self.finish_field()

    def _write_term(self, btext: bytes, ids, weights, values, table: list[int], fixed) -> None:
        """One term's posting list, in blocks, and its row in the term table."""
        if len(ids) == 1:  # most terms of a segment
            self._write_single(btext, ids[0], weights[0], values[0], table, fixed)
            return
        limit = self._postwriter._blocklimit
        chunks = [WHOOSH3_HEADER_MAGIC]
        if not all(values):
            values = [v or b"" for v in values]
        total_weight = 0.0
        min_length = None
        max_length = max_weight = 0
        count = len(ids)
        for at in range(0, count, limit):
            if count <= limit:  # one block (nearly every term): no slices
                block_ids, block_values, unrounded = ids, values, weights
            else:
                block_ids, block_values = ids[at : at + limit], values[at : at + limit]
                unrounded = weights[at : at + limit]
            block_weights = array("f", unrounded)  # as the block keeps them
            nonzero = list(map(table.__getitem__, block_ids)) if table else []
            if 0 in nonzero:
                nonzero = list(filter(None, nonzero))
            shortest = min(nonzero) if nonzero else None
            longest = max(nonzero) if nonzero else 0
            block_weight = max(0, max(unrounded))
            data = encode_block(block_ids, block_weights, block_values, fixed)
            info = _block_info(len(block_ids), block_ids[-1], block_weight, shortest, longest)
            size = len(info) + len(data)
            chunks += (pack_int(-size if at + limit >= count else size), info, data)
            total_weight += sum(block_weights)
            if shortest is not None:
                min_length = shortest if min_length is None else min(min_length, shortest)
            max_length = max(max_length, longest)
            max_weight = max(max_weight, block_weight)
        written = b"".join(chunks)
        self._emit(written)
        info = _term_info(
            total_weight, count, min_length, max_length, max_weight, ids[0], ids[-1],
            self._position, len(written),
        )  # fmt: skip
        self._position += len(written)
        self._tindex.add(pack_ushort(self._fieldid) + btext, info)

    def _write_single(
        self, btext: bytes, docnum: int, weight: float, value, table: list[int], fixed
    ) -> None:
        """_write_term for a list of one posting, without the loops."""
        stored = _FLOAT32.unpack(_FLOAT32.pack(weight))[0]  # as a block keeps it
        length = table[docnum] if table else 0
        if fixed == 0 or not value:
            values = None
        elif fixed is None or fixed < 0:
            values = b"\x00" + _SIZE.pack(len(value)) + value
        else:
            values = b"\x00" + value
        gaps = _ONE_NUMBER[_narrowest(docnum)].pack(docnum)
        data = dumps((gaps, None if stored == 1.0 else stored, values), _DATA_PROTOCOL)
        max_weight = max(0, weight)
        info = _block_info(1, docnum, max_weight, length or None, length)
        written = WHOOSH3_HEADER_MAGIC + pack_int(-(len(info) + len(data))) + info + data
        self._emit(written)
        row = _term_info(
            stored, 1, length or None, length, max_weight, docnum, docnum,
            self._position, len(written),
        )  # fmt: skip
        self._position += len(written)
        self._tindex.add(pack_ushort(self._fieldid) + btext, row)


def _term_groups(items: Iterable[tuple]) -> Iterator[FieldGroups]:
    """Whoosh's sorted pool items (field, term, document, weight, value) as
    each field's term groups."""
    for fieldname, rows in itertools.groupby(items, _FIELD):
        yield FieldGroups(fieldname, _groups_of(rows))


def _groups_of(rows: Iterable[tuple]) -> Iterator[tuple]:
    for term, group in itertools.groupby(rows, _TERM):
        _, _, ids, weights, values = zip(*group, strict=True)
        yield term, ids, weights, values


def _term_info(
    weight: float,
    df: int,
    min_length: int | None,
    max_length: int,
    max_weight: float,
    min_id: int,
    max_id: int,
    offset: int,
    size: int,
) -> bytes:
    """A term's row in the term table, as Whoosh's W3TermInfo.to_bytes makes it."""
    head = _TERM_INFO.pack(
        0,  # not inlined
        weight,
        df,
        _length_byte(min_length),
        _length_byte(max_length),
        max_weight,
        min_id,
        max_id,
    )
    return head + pack_long(offset) + pack_int(size)


class _TermTableWriter(OrderedHashWriter):
    """Whoosh's term table writer, keeping its file's offset itself (Whoosh
    asks the file for it, a system call, twice per term) and writing its rows
    and hash tables a few thousand at a time, not each with its own calls."""

    def __init__(self, made: OrderedHashWriter) -> None:
        self.__dict__.update(made.__dict__)  # Whoosh's, its header written
        self._position = self.dbfile.tell()
        self._rows: list[bytes] = []
        if self.hashfn is md5_hash:
            self.hashfn = _md5_hash

    def add(self, key: bytes, value: bytes) -> None:
        if key <= self.lastkey:
            raise ValueError(f"Keys must increase: {self.lastkey!r}..{key!r}")
        position = self._position
        self.index.append(position)
        row = _KEY_VALUE_LENGTHS.pack(len(key), len(value)) + key + value
        rows = self._rows
        rows.append(row)
        if len(rows) >= _PENDING_TERMS:
            self._flush()
        self._position = position + len(row)
        hashed = self.hashfn(key)
        self.buckets[hashed & 255].append((hashed, position))
        self.lastkey = key

    def _flush(self) -> None:
        self.dbfile.write(b"".join(self._rows))
        self._rows = []

    def _write_hashes(self) -> None:
        # Whoosh's open-addressing tables, each written in one call.
        dbfile = self.dbfile
        empty = (0, 0)
        for entries in self.buckets:
            slots = 2 * len(entries)
            self.directory.append((dbfile.tell(), slots))
            table = [empty] * slots
            for hashed, position in entries:
                slot = (hashed >> 8) % slots
                while table[slot] != empty:
                    slot = (slot + 1) % slots
                table[slot] = (hashed, position)
            dbfile.write(b"".join(itertools.starmap(_HASH_SLOT.pack, table)))

    def close(self):
        self._flush()
        return super().close()


def _md5_hash(key: bytes) -> int:
    """Whoosh's md5_hash (the digest's low 32 bits) without the hex round trip."""
    return int.from_bytes(md5(key).digest()[-4:], "big")


def length_bytes(perdoc: W3PerDocReader, fieldname: str, count: int) -> bytes:
    """One byte per document (``count`` of them): its length in ``fieldname``
    as Whoosh stores it, 0 where the field is empty, past the column's end or
    not scored (Whoosh 2.7.4's per-document reader, pinned)."""
    column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    raw = b"" if column is None else column._dbfile.get(column._basepos, column._count)
    return bytes(raw).ljust(count, b"\0")


def _field_lengths(lengths: W3PerDocReader, fieldname: str) -> list[int]:
    """Every document's length in ``fieldname`` as Whoosh's doc_field_length
    gives it (0 for none)."""
    return [LENGTH_OF_BYTE[b] for b in length_bytes(lengths, fieldname, lengths._doccount + 1)]


# --- reading -----------------------------------------------------------------------------


class ArrayBlockMatcher(W3LeafMatcher):
    """Whoosh's matcher over blocks made by :func:`encode_block`."""

    def _read_ids(self) -> None:
        if self._data is None:
            self._read_data()
        gaps = self._data[0]
        if isinstance(gaps, bytes):
            self._ids = tuple(decode_ids(gaps, self._blocklength).tolist())
        else:  # byte ids (term vectors): as Whoosh wrote them
            self._ids = gaps

    def _read_weights(self) -> None:
        if self._data is None:
            self._read_data()
        weights = self._data[1]
        if isinstance(weights, bytes):
            frequencies = decode_frequencies(weights, self._blocklength)
            self._weights = array("f", frequencies.astype(np.float32).tobytes())
        else:
            super()._read_weights()

    def _read_values(self) -> None:
        if self._data is None:
            self._read_data()
        if isinstance(self._data[0], bytes):
            self._values = _decode_values(self._data[2], self._blocklength, self._fixedsize)
        else:
            super()._read_values()


class ArrayBlockCodec(W3Codec):
    def __init__(self, blocklimit: int = BLOCK_POSTINGS, **kwargs: object) -> None:
        super().__init__(blocklimit=blocklimit, **kwargs)

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
