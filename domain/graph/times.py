"""The times the graph holds: with a time zone, inside the range every store can hold.

Python's datetime spans the years 1 to 9999 and cannot move a time near either end across an
offset (``astimezone`` overflows); the database driver writes the very first and last times as
-infinity and infinity, which read back without a zone. So a time is accepted only when it has
a time zone and falls, in UTC, strictly between ``FIRST`` and ``LAST``: one rule for ingested
records, imported files, windows and cursors, so that the fakes and PostgreSQL refuse the same
times (as a clear 422) and no time can overflow further in.
"""

from __future__ import annotations

from datetime import UTC, datetime

FIRST = datetime.min.replace(tzinfo=UTC)  # both excluded: stored as -infinity and infinity
LAST = datetime.max.replace(tzinfo=UTC)


def within_range(moment: datetime) -> bool:
    if moment.utcoffset() is None:
        return False
    if 1 < moment.year < 9999:  # the usual case: no offset moves it out (offsets are < 1 day)
        return True
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        return False
    return FIRST < utc < LAST
