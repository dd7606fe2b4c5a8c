"""Bytes in, bytes out: transparent gunzip with a ceiling on what it may expand to."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from domain.graph.errors import ImportMalformed, ImportTooLarge

GZIP_MAGIC = b"\x1f\x8b"
PIECE = 1 << 20  # never inflate more than this per step: a bomb cannot fill memory at once


class Inflater:
    """Passes plain bytes through; inflates gzip (also multi-member), refusing more than
    ``limit`` bytes out, so a small compressed file cannot expand without bound."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._head = b""
        self._gzip: bool | None = None
        self._stream: zlib._Decompress | None = None
        self.produced = 0

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        if self._gzip is None:
            self._head += chunk
            if len(self._head) < len(GZIP_MAGIC):
                return
            chunk, self._head = self._head, b""
            self._gzip = chunk.startswith(GZIP_MAGIC)
        if not self._gzip:
            yield self._count(chunk)
            return
        yield from self._inflate(chunk)

    def _inflate(self, data: bytes) -> Iterator[bytes]:
        while data:
            if self._stream is None:
                if not data.strip(b"\x00"):
                    return  # padding after the last member
                self._stream = zlib.decompressobj(wbits=31)
            try:
                out = self._stream.decompress(data, PIECE)
            except zlib.error as error:
                raise ImportMalformed(
                    "The compressed stream is corrupt.", reason=str(error)
                ) from None
            if self._stream.eof:
                data, self._stream = self._stream.unused_data, None  # the next member, if any
            else:
                data = self._stream.unconsumed_tail
            if out:
                yield self._count(out)

    def close(self) -> Iterator[bytes]:
        if self._gzip is None and self._head:
            self._gzip = False
            yield self._count(self._head)
        if self._stream is not None:
            raise ImportMalformed("The compressed stream is truncated.")

    def _count(self, data: bytes) -> bytes:
        self.produced += len(data)
        if self.produced > self._limit:
            raise ImportTooLarge(limit=self._limit)
        return data
