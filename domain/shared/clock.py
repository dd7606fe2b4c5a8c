"""Time as a value: aware UTC datetimes only."""

from __future__ import annotations

from datetime import UTC, datetime


def utc(value: datetime) -> datetime:
    """Reject naive datetimes: a timestamp without a zone is a bug waiting for a DST change."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: every time in Atlas carries a zone")
    return value.astimezone(UTC)
