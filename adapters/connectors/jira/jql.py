"""JQL over ``updated``: dates written in the authorizing user's time zone, to the minute.

Jira reads a date literal ("yyyy-MM-dd HH:mm") in the time zone of the user the token belongs
to, with minute precision. A bound written in UTC would be read hours late for a user west of
Greenwich and skip every change in between, so each bound is written in the user's zone and
rounded down: every reading of it falls at or before the instant meant.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# UTC-12, the earliest clock on Earth (POSIX signs are inverted): written there, a bound is read
# at or before the instant meant in whatever zone the user really has.
EARLIEST = ZoneInfo("Etc/GMT+12")
_FORMAT = "%Y-%m-%d %H:%M"


def user_zone(name: str | None) -> ZoneInfo:
    """The zone ``/myself`` names; one we cannot read is replaced by the earliest clock (the
    window then only grows)."""
    if not name:
        return EARLIEST
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return EARLIEST


def literal(instant: datetime, zone: ZoneInfo) -> str:
    """``instant`` as a JQL date literal in ``zone``, never read later than ``instant``.

    Rounded down to the minute. In the hour a clock goes back a local time names two instants
    and Jira may read either, so such a time steps back an hour until it is unambiguous.
    """
    moment = instant.astimezone(UTC)
    for _ in range(4):
        text = moment.astimezone(zone).strftime(_FORMAT)
        if _latest_reading(text, zone) <= instant:
            return text
        moment -= timedelta(hours=1)
    return moment.astimezone(EARLIEST).strftime(_FORMAT)


def _latest_reading(text: str, zone: ZoneInfo) -> datetime:
    naive = datetime.strptime(text, _FORMAT)  # a wall time: read in ``zone`` below
    return max(naive.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))


def window(lo: datetime, hi: datetime, zone: ZoneInfo) -> str:
    """Issues updated in ``[lo, hi)``, oldest change first (then by key, for stable pages)."""
    return (
        f'updated >= "{literal(lo, zone)}" AND updated < "{literal(hi, zone)}" '
        "ORDER BY updated ASC, key ASC"
    )


def since(lo: datetime, zone: ZoneInfo) -> str:
    """Every issue updated since ``lo``: an unbounded query is refused by ``/search/jql``."""
    return f'updated >= "{literal(lo, zone)}" ORDER BY created ASC'
