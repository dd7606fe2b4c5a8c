"""Google's rate limits come as 403s too: they are throttling, other 403s are refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from adapters.connectors.api import ApiResponse
from adapters.connectors.google.errors import classify

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def _answer(status: int, domain: str, reason: str, **headers: str) -> ApiResponse:
    body: dict[str, Any] = {
        "error": {
            "code": status,
            "message": "Rate Limit Exceeded",
            "errors": [{"domain": domain, "reason": reason, "message": "Rate Limit Exceeded"}],
        }
    }
    return ApiResponse(status=status, headers=headers, content=msgspec.json.encode(body))


@pytest.mark.parametrize(
    ("domain", "reason"),
    [
        ("usageLimits", "userRateLimitExceeded"),  # Gmail and Calendar
        ("usageLimits", "rateLimitExceeded"),
        ("global", "rateLimitExceeded"),
    ],
)
def test_a_rate_limit_403_is_throttling(domain: str, reason: str) -> None:
    verdict = classify(_answer(403, domain, reason), NOW)

    assert verdict is not None
    assert verdict.kind == "throttled"
    assert verdict.retry_after is None  # no Retry-After: exponential backoff


def test_a_retry_after_is_honoured_and_a_daily_limit_releases_the_job() -> None:
    waited = classify(
        _answer(403, "usageLimits", "userRateLimitExceeded", **{"retry-after": "7"}), NOW
    )
    daily = classify(_answer(403, "usageLimits", "dailyLimitExceeded"), NOW)

    assert waited is not None
    assert waited.retry_after == 7.0
    assert daily is not None
    assert (daily.kind, daily.retry_after) == ("throttled", 3600.0)


@pytest.mark.parametrize(
    "answer",
    [
        _answer(403, "global", "insufficientPermissions"),
        _answer(403, "global", "forbidden"),
        ApiResponse(status=403, headers={}, content=b"<html>no json</html>"),
        _answer(429, "global", "rateLimitExceeded"),  # the status says it already
        _answer(404, "global", "notFound"),
    ],
)
def test_anything_else_is_read_by_its_status(answer: ApiResponse) -> None:
    assert classify(answer, NOW) is None
