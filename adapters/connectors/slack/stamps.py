"""Slack's ``ts``: a message's id within its channel and its moment, kept as the exact string.

``"1712345678.000123"`` is compared, stored and sent back exactly: as a float it loses the
microseconds that tell apart messages posted within one second of each other, so a cursor
held as a float skips or repeats them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TS = re.compile(r"^(\d{1,12})(?:\.(\d{1,6}))?$")

Key = tuple[int, int]


def key(ts: str) -> Key:
    """Seconds and microseconds: the order of two ``ts`` values (a malformed one sorts first)."""
    match = _TS.match(ts)
    if match is None:
        return (0, 0)
    return int(match.group(1)), int((match.group(2) or "").ljust(6, "0"))


def valid(ts: str | None) -> bool:
    return ts is not None and _TS.match(ts) is not None


def moment(ts: str) -> datetime:
    seconds, micros = key(ts)
    return EPOCH + timedelta(seconds=seconds, microseconds=micros)


def created(seconds: int) -> datetime | None:
    """A record's creation time in whole seconds; None where Python has no date for it (the
    spec bounds no integer, and a year past 9999 must not stop a sync)."""
    try:
        return EPOCH + timedelta(seconds=seconds) if seconds > 0 else None
    except OverflowError:
        return None


def of(when: datetime) -> str:
    """The ``ts`` of a moment (``oldest``/``latest`` bounds), to the microsecond."""
    micros = (when - EPOCH) // timedelta(microseconds=1)
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def seq(ts: str) -> int:
    """The provider's own order of messages: microseconds since the epoch."""
    seconds, micros = key(ts)
    return seconds * 1_000_000 + micros


def newest(*stamps: str | None) -> str | None:
    present = [s for s in stamps if s is not None]
    return max(present, key=key) if present else None


def oldest(*stamps: str | None) -> str | None:
    present = [s for s in stamps if s is not None]
    return min(present, key=key) if present else None


def compact(ts: str) -> str:
    """As a permalink writes it: ``p`` + the digits without the dot."""
    seconds, micros = key(ts)
    return f"{seconds}{micros:06d}"
