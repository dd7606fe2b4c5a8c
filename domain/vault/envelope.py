"""The envelope format: ``format(1) | key_id(4, big-endian) | iv(12) | ciphertext || tag(16)``."""

from __future__ import annotations

import struct
from typing import Final

from domain.vault.errors import CredentialUnreadable

FORMAT: Final = 1
IV_BYTES: Final = 12
TAG_BYTES: Final = 16
_HEADER = struct.Struct(">BI")
HEADER_BYTES: Final = _HEADER.size
BODY_START: Final = HEADER_BYTES + IV_BYTES
MIN_ENVELOPE_BYTES: Final = BODY_START + TAG_BYTES
MAX_KEY_ID: Final = 2**32 - 1


def pack(key_id: int, iv: bytes, ciphertext_and_tag: bytes) -> bytes:
    return header(key_id) + iv + ciphertext_and_tag


def unpack(envelope: bytes) -> tuple[int, bytes, bytes]:
    """``(key_id, iv, ciphertext_and_tag)``; anything malformed is simply unreadable."""
    if len(envelope) < MIN_ENVELOPE_BYTES:
        raise CredentialUnreadable()
    form, key_id = _HEADER.unpack_from(envelope)
    if form != FORMAT:
        raise CredentialUnreadable()
    return key_id, envelope[HEADER_BYTES:BODY_START], envelope[BODY_START:]


def header(key_id: int) -> bytes:
    """The first bytes of every envelope sealed under ``key_id``."""
    return _HEADER.pack(FORMAT, key_id)
