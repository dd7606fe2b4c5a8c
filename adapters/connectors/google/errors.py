"""Google's own reading of its answers: rate limits come as 403s as well as 429s.

Gmail answers 403 ``userRateLimitExceeded`` / ``rateLimitExceeded`` (or 429); Calendar 403
with the ``usageLimits`` domain (or 429). A 403 for any other reason (a missing scope, a
mailbox not enabled) is a refusal, read by the HTTP status as usual. A daily limit frees only
with its window, so the job is released rather than retried within minutes.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from adapters.connectors.api import ApiResponse, Verdict
from domain.integrations.retry import retry_after_seconds

RATE_LIMITED = frozenset({"userRateLimitExceeded", "rateLimitExceeded"})
DAILY_LIMITED = frozenset({"dailyLimitExceeded", "quotaExceeded"})
DAILY_WAIT_SECONDS = 3600.0


class _Reason(msgspec.Struct, frozen=True):
    reason: str = ""
    domain: str = ""


class _Error(msgspec.Struct, frozen=True):
    errors: list[_Reason] = []


class _Body(msgspec.Struct, frozen=True):
    error: _Error | None = None


_decoder = msgspec.json.Decoder(_Body)


def reasons(response: ApiResponse) -> set[str]:
    """The ``error.errors[].reason`` values of an error answer (``domain`` for usageLimits)."""
    try:
        body = _decoder.decode(response.content)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return set()
    if body.error is None:
        return set()
    found = {e.reason for e in body.error.errors if e.reason}
    return found | {e.domain for e in body.error.errors if e.domain == "usageLimits"}


def classify(response: ApiResponse, now: datetime) -> Verdict | None:
    if response.status != 403:
        return None  # 429, 5xx, 401 and the rest: by the HTTP status
    found = reasons(response)
    wait = retry_after_seconds(response.header("retry-after"), now)
    if found & DAILY_LIMITED:
        reason = "google_" + sorted(found & DAILY_LIMITED)[0]
        return Verdict(
            kind="throttled",
            reason=reason,
            retry_after=DAILY_WAIT_SECONDS if wait is None else wait,
        )
    if found & RATE_LIMITED or "usageLimits" in found:
        named = sorted(found & RATE_LIMITED) or ["usageLimits"]
        return Verdict(kind="throttled", reason="google_" + named[0], retry_after=wait)
    return None
