"""Jira's own reading of its refusals: a 429 (or a 503) may name when its limit resets.

Atlassian sends ``Retry-After`` with most 429s and some 503s (the default reading honours it),
and ``X-RateLimit-Reset`` (an ISO 8601 instant, ``yyyy-MM-ddTHH:mmZ``) with many. When only the
reset instant came, wait until then instead of guessing with a blind backoff.
"""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.connectors.api import ApiResponse, Verdict


def classify(response: ApiResponse, now: datetime) -> Verdict | None:
    if response.status not in (429, 503) or response.header("retry-after"):
        return None
    reset = _instant(response.header("x-ratelimit-reset"))
    if reset is None:
        return None
    wait = max(0.0, (reset - now).total_seconds())
    reason = f"http_{response.status}"
    if response.status == 429:
        return Verdict(kind="throttled", reason=reason, retry_after=wait)
    return Verdict(kind="retry", reason=reason, retry_after=wait)


def _instant(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
