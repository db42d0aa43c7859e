"""Whoosh's W3 codec, with small posting blocks left uncompressed.

Whoosh zlib-compresses every posting block, even a term's single posting;
most terms of a Bengali corpus are that rare, and compressing a few dozen
bytes costs mostly zlib's set-up. Blocks of fewer than COMPRESS_FROM
postings are written as they are (each block records its own compression,
so Whoosh reads both kinds). On 300 articles of the shared corpus, one
writer process: indexing 7.96 s → 6.92 s (medians of 3), index 27.6 → 28.1 MB;
the whole shared corpus with bench/index.py: 51.0 → 46.7 s in one process,
29.3 → 24.0 s in two.

The codec is pickled into every segment the index lists, so it lives under
this stable module path.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter

__all__ = ["COMPRESS_FROM", "SmallBlockCodec"]

COMPRESS_FROM = 4  # postings in a block


class SmallBlockPostingsWriter(W3PostingsWriter):
    def __init__(self, dbfile, compression: int = 3, **kwargs: object) -> None:
        super().__init__(dbfile, compression=compression, **kwargs)
        self._level = compression

    def _write_block(self, last: bool = False) -> None:
        self._compression = self._level if len(self._ids) >= COMPRESS_FROM else 0
        super()._write_block(last)


class SmallBlockCodec(W3Codec):
    def postings_writer(self, dbfile, byteids: bool = False) -> SmallBlockPostingsWriter:
        return SmallBlockPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )
