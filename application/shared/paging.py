"""Opaque pagination cursors: a small struct, JSON, base64url, no padding."""

from __future__ import annotations

import base64
import binascii
from typing import TypeVar

import msgspec

from domain.shared.errors import DomainError

T = TypeVar("T")


def encode_cursor(value: object) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(value)).decode().rstrip("=")


def decode_cursor(cursor: str, kind: type[T], invalid: type[DomainError]) -> T:
    """The position a cursor holds; anything that does not decode raises ``invalid``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return msgspec.json.decode(raw, type=kind)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise invalid() from None
