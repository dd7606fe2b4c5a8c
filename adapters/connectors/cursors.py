"""A stream's checkpoint as each connector shapes it: a small struct, stored as JSON bytes."""

from __future__ import annotations

from typing import TypeVar

import msgspec

T = TypeVar("T")


def encode_cursor(cursor: msgspec.Struct) -> bytes:
    return msgspec.json.encode(cursor)


def decode_cursor(raw: bytes | None, kind: type[T]) -> T | None:
    """None when there is no checkpoint, or one of a shape this code no longer reads: the
    stream then starts again from the backfill (upserts make re-reading harmless)."""
    if raw is None:
        return None
    try:
        return msgspec.json.decode(raw, type=kind)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
