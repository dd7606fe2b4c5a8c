"""JQL dates in the user's zone, never read later than meant; Jira's reset-only throttles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from adapters.connectors.api import ApiResponse
from adapters.connectors.jira import jql
from adapters.connectors.jira.throttle import classify

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_a_bound_is_written_in_the_users_zone_rounded_down() -> None:
    sut = jql.literal(datetime(2026, 1, 20, 15, 4, 59, 900000, tzinfo=UTC), NEW_YORK)

    assert sut == "2026-01-20 10:04"


def test_a_bound_in_the_hour_the_clock_goes_back_is_never_read_late() -> None:
    # 2026-11-01 01:30 happens twice in New York; the first time is 05:30 UTC.
    first_time = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)

    sut = jql.literal(first_time, NEW_YORK)

    readings = [
        datetime.strptime(sut, "%Y-%m-%d %H:%M").replace(tzinfo=NEW_YORK, fold=f).astimezone(UTC)
        for f in (0, 1)
    ]
    assert max(readings) <= first_time
    assert first_time - min(readings) <= timedelta(hours=2)


def test_an_unknown_zone_writes_bounds_on_the_earliest_clock() -> None:
    sut = jql.user_zone("Mars/Olympus_Mons")

    assert sut == jql.EARLIEST
    assert jql.literal(datetime(2026, 1, 20, 15, 4, tzinfo=UTC), sut) == "2026-01-20 03:04"
    assert jql.user_zone(None) == jql.EARLIEST


def test_the_window_is_half_open_and_ordered_by_change_then_key() -> None:
    lo, hi = datetime(2026, 1, 20, 9, 0, tzinfo=UTC), datetime(2026, 1, 20, 12, 0, tzinfo=UTC)

    sut = jql.window(lo, hi, ZoneInfo("Europe/Amsterdam"))

    assert sut == (
        'updated >= "2026-01-20 10:00" AND updated < "2026-01-20 13:00" '
        "ORDER BY updated ASC, key ASC"
    )


def _answer(status: int, **headers: str) -> ApiResponse:
    return ApiResponse(status=status, headers=headers, content=b"{}")


def test_a_throttle_naming_only_its_reset_waits_until_then() -> None:
    sut = classify(_answer(429, **{"x-ratelimit-reset": "2026-03-02T12:05Z"}), NOW)

    assert sut is not None
    assert (sut.kind, sut.retry_after) == ("throttled", 300.0)


def test_retry_after_and_other_answers_keep_the_default_reading() -> None:
    reset = {"x-ratelimit-reset": "2026-03-02T12:05Z"}

    assert classify(_answer(429, **{"retry-after": "30"}, **reset), NOW) is None
    assert classify(_answer(429), NOW) is None
    assert classify(_answer(400, **reset), NOW) is None
    unavailable = classify(_answer(503, **reset), NOW)
    assert unavailable is not None
    assert unavailable.kind == "retry"
