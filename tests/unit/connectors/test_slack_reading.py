"""How the Slack connector reads answers and positions: Slack's error codes, exact ``ts``
values, and what the graph holds of a channel known from source ids alone."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from adapters.connectors.api import ApiResponse
from adapters.connectors.slack import stamps
from adapters.connectors.slack.errors import classify
from adapters.connectors.slack.known import KnownMessages

pytestmark = pytest.mark.unit

NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def _answer(body: object, status: int = 200, **headers: str) -> ApiResponse:
    return ApiResponse(status=status, headers=headers, content=msgspec.json.encode(body))


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        ("invalid_auth", "rejected"),
        ("not_authed", "rejected"),
        ("token_revoked", "rejected"),
        ("account_inactive", "rejected"),
        ("missing_scope", "rejected"),
        ("token_expired", "renew"),
        ("invalid_cursor", "ok"),
        ("channel_not_found", "ok"),
        ("thread_not_found", "ok"),
        ("internal_error", "retry"),
        ("invalid_arguments", "refused"),
        ("ratelimited", "throttled"),
    ],
)
def test_slack_errors_in_a_200_have_their_own_meaning(error: str, kind: str) -> None:
    verdict = classify(_answer({"ok": False, "error": error}), NOW)

    assert verdict is not None
    assert verdict.kind == kind


def test_a_throttle_in_a_200_or_a_429_honours_retry_after() -> None:
    in_200 = classify(_answer({"ok": False, "error": "ratelimited"}, **{"retry-after": "7"}), NOW)
    in_429 = classify(_answer({"ok": False, "error": "ratelimited"}, 429), NOW)

    assert in_200 is not None
    assert (in_200.kind, in_200.retry_after) == ("throttled", 7.0)
    assert in_429 is None  # left to the HTTP status: 429 + Retry-After, as for every provider


def test_success_and_foreign_bodies_are_left_to_the_status() -> None:
    assert classify(_answer({"ok": True, "messages": []}), NOW) is None
    assert classify(ApiResponse(status=200, headers={}, content=b"<html>"), NOW) is None


def test_an_odd_error_code_never_travels_verbatim() -> None:
    verdict = classify(_answer({"ok": False, "error": "Bad thing: see <body>"}), NOW)

    assert verdict is not None
    assert (verdict.kind, verdict.reason) == ("refused", "slack_error")


def test_ts_values_keep_their_microseconds() -> None:
    one, two = "1712345678.000100", "1712345678.000101"

    assert stamps.key(one) < stamps.key(two)
    assert stamps.newest(two, one, None) == two
    assert stamps.oldest(two, one) == one
    assert stamps.of(stamps.moment(two)) == two
    assert stamps.seq(two) - stamps.seq(one) == 1
    assert stamps.compact(two) == "1712345678000101"


def test_known_messages_are_read_from_source_ids() -> None:
    sut = KnownMessages(
        "msg:C1:",
        [
            "msg:C1:100.000001",
            "msg:C1:100.000002",
            "msg:C1:100.000002:150.000000",
            "msg:C1:100.000002:120.000000",
            "msg:C1:200.000000",
            "msg:C1:not-a-ts",
        ],
    )

    assert sut.parents == {"100.000001", "100.000002", "200.000000"}
    assert sut.stats("100.000002") == (2, "150.000000")
    assert sut.stats("100.000001") == (0, None)
    lower, upper = stamps.key("100.000001"), stamps.key("200.000000")
    assert sut.parents_within(lower, upper, with_lower=True) == ["100.000001", "100.000002"]
    assert sut.parents_within(lower, upper, with_lower=False) == ["100.000002"]
    assert sut.threads_within(lower, upper, with_lower=False) == ["100.000002"]
