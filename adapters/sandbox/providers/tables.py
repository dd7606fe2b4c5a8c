"""Helpers for views that cache a table of rendered records per moment instead of per call.

A sync's every call sees a later clock. A view whose table depends only on which seeded moments
have passed can build it once for the latest such moment (``settled``) and share it until the
next one; caches keyed on that table then use ``SameTable`` to hash it by identity.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

BEFORE = datetime.min.replace(tzinfo=UTC)  # earlier than anything seeded: nothing has happened
AFTER = datetime.max.replace(tzinfo=UTC)  # later than anything seeded: everything has


def settled(moments: Sequence[datetime], now: datetime) -> datetime:
    """The latest of the sorted ``moments`` not after ``now`` (BEFORE when none is)."""
    index = bisect_right(moments, now)
    return moments[index - 1] if index else BEFORE


class SameTable:
    """A table hashed and compared by identity, so an lru_cache can key on it cheaply."""

    __slots__ = ("table",)

    def __init__(self, table: Any) -> None:
        self.table = table

    def __hash__(self) -> int:
        return id(self.table)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SameTable) and other.table is self.table
