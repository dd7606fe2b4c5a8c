"""Typed identifiers, so a UserId is never accepted where a TenantId belongs."""

from __future__ import annotations

import os
import time
from typing import NewType
from uuid import UUID

TenantId = NewType("TenantId", UUID)
UserId = NewType("UserId", UUID)


def new_id() -> UUID:
    """A UUIDv7 (RFC 9562): time-ordered, so new rows land at the right edge of a b-tree.

    Random ids (v4) scatter inserts across the whole index; with 48 bits of millisecond time
    first, inserts stay local and index pages stay hot. 74 random bits keep ids unguessable
    enough for identifiers (they are never secrets: tokens use 256-bit values).
    """
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    rand_a = rand >> 68 & 0xFFF
    rand_b = rand & (1 << 62) - 1
    value = (millis & (1 << 48) - 1) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return UUID(int=value)


def new_tenant_id() -> TenantId:
    return TenantId(new_id())


def new_user_id() -> UserId:
    return UserId(new_id())
