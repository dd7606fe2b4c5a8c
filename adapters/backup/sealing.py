"""The backup file's encryption: AES-256-GCM in fixed-size segments, streamed both ways.

Layout: a plaintext header, then segments. The header says what the file is and how its key is
derived (HKDF-SHA256 of the master secret, a random salt per file, the label ``atlas backup
v1``), so no key material is stored and no vault key is reused. Each segment is sealed on its
own with a 16-byte tag; its nonce is the file's random prefix, the segment's index and a
final-segment flag, and the whole header is its associated data. So a flipped bit anywhere, a
segment moved, dropped or duplicated, a file cut at a segment boundary, bytes appended after the
end, or another master secret all fail authentication. Memory is bounded by one segment.

The nonces count rather than being random (unlike the vault's, R1.1): the key exists for this
one file only (a fresh 32-byte salt), so a counter under it never repeats.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from domain.shared.secret import Secret

MAGIC = b"ATLASBAK"
FORMAT_VERSION = 1
KDF_HKDF_SHA256 = 1
KDF_INFO = b"atlas backup v1"
SEGMENT_BYTES = 4 << 20  # 4 MiB of plaintext per segment
TAG_BYTES = 16
_HEADER = struct.Struct(">8sBBI32s7s")  # magic, version, kdf, segment size, salt, nonce prefix
HEADER_BYTES = _HEADER.size
_POSITION = struct.Struct(">IB")  # segment index, final flag: the nonce's tail and the AAD's
MAX_SEGMENTS = 1 << 32

UNREADABLE = "the backup file is corrupted or was not made with this master secret"


class BackupUnreadable(Exception):
    """Bad magic, an unknown format, a failed tag, a truncation: nothing was restored."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"{UNREADABLE} ({detail})")
        self.detail = detail


@dataclass(frozen=True)
class Header:
    salt: bytes
    nonce_prefix: bytes
    segment_bytes: int = SEGMENT_BYTES

    def encode(self) -> bytes:
        return _HEADER.pack(
            MAGIC, FORMAT_VERSION, KDF_HKDF_SHA256, self.segment_bytes, self.salt, self.nonce_prefix
        )

    @classmethod
    def decode(cls, raw: bytes) -> Header:
        if len(raw) < HEADER_BYTES or not raw.startswith(MAGIC):
            raise BackupUnreadable("not an Atlas backup: the header is missing")
        _, version, kdf, segment_bytes, salt, prefix = _HEADER.unpack(raw[:HEADER_BYTES])
        if version != FORMAT_VERSION or kdf != KDF_HKDF_SHA256:
            raise BackupUnreadable(f"unknown format version {version} or key derivation {kdf}")
        if not 1024 <= segment_bytes <= 64 << 20:
            raise BackupUnreadable(f"implausible segment size {segment_bytes}")
        return cls(salt=salt, nonce_prefix=prefix, segment_bytes=segment_bytes)


def file_key(master: Secret[bytes], header: Header) -> AESGCM:
    hkdf = HKDF(algorithm=SHA256(), length=32, salt=header.salt, info=KDF_INFO)
    return AESGCM(hkdf.derive(master.reveal()))


def _nonce_and_aad(header: Header, encoded: bytes, index: int, final: bool) -> tuple[bytes, bytes]:
    if index >= MAX_SEGMENTS:
        raise ValueError("a backup holds at most 2^32 segments")
    position = _POSITION.pack(index, 1 if final else 0)
    return header.nonce_prefix + position, encoded + position


class SealedWriter:
    """Write plaintext in; whole sealed segments go out. ``close()`` seals the final segment."""

    def __init__(
        self, out: BinaryIO, master: Secret[bytes], *, segment_bytes: int = SEGMENT_BYTES
    ) -> None:
        self._out = out
        self._header = Header(salt=os.urandom(32), nonce_prefix=os.urandom(7),
                              segment_bytes=segment_bytes)  # fmt: skip
        self._encoded = self._header.encode()
        self._aes = file_key(master, self._header)
        self._buffer = bytearray()
        self._index = 0
        self.plaintext_bytes = 0
        out.write(self._encoded)

    def write(self, data: bytes) -> None:
        self._buffer += data
        self.plaintext_bytes += len(data)
        size = self._header.segment_bytes
        # Keep at least one byte back: the last segment must be sealed as final, even when the
        # plaintext is an exact multiple of the segment size.
        while len(self._buffer) > size:
            self._seal(bytes(self._buffer[:size]), final=False)
            del self._buffer[:size]

    def close(self) -> None:
        self._seal(bytes(self._buffer), final=True)
        self._buffer.clear()

    def _seal(self, chunk: bytes, *, final: bool) -> None:
        nonce, aad = _nonce_and_aad(self._header, self._encoded, self._index, final)
        self._out.write(self._aes.encrypt(nonce, chunk, aad))
        self._index += 1


def open_sealed(source: BinaryIO, master: Secret[bytes]) -> Iterator[bytes]:
    """Yield the plaintext segment by segment; raise ``BackupUnreadable`` at the first fault.

    A caller must not act on the plaintext until the iterator is exhausted: only then is the
    file known to be whole (the final segment's flag is what rules out a truncation).
    """
    encoded = source.read(HEADER_BYTES)
    header = Header.decode(encoded)
    aes = file_key(master, header)
    sealed_size = header.segment_bytes + TAG_BYTES
    current = source.read(sealed_size)
    index = 0
    while True:
        following = source.read(sealed_size)
        final = not following
        if len(current) < TAG_BYTES:
            raise BackupUnreadable(f"segment {index} is cut short")
        nonce, aad = _nonce_and_aad(header, encoded, index, final)
        try:
            plaintext = aes.decrypt(nonce, current, aad)
        except InvalidTag:
            raise BackupUnreadable(f"segment {index} fails authentication") from None
        yield plaintext
        if final:
            return
        current, index = following, index + 1
