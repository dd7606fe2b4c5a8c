"""When to try a provider again: Retry-After in either form, else full-jitter backoff.

providers.md rule 7: honour ``Retry-After`` as seconds or an HTTP-date (negative → 0) plus
0-10 % jitter; otherwise ``random(0, min(60 s, 1 s·2^n))``; at most 6 attempts; a wait above
15 minutes releases the job to be rescheduled instead of holding a worker.
"""

from __future__ import annotations

import email.utils
import random
from datetime import UTC, datetime

import msgspec

MAX_ATTEMPTS = 6
BACKOFF_CAP_SECONDS = 60.0
RESCHEDULE_ABOVE_SECONDS = 15 * 60


class RetryDecision(msgspec.Struct, frozen=True, kw_only=True):
    retry: bool
    wait_seconds: float
    reschedule: bool = False  # release the job and come back later instead of sleeping


def retry_after_seconds(header: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value, or None when absent or unreadable."""
    if header is None or not header.strip():
        return None
    value = header.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def next_attempt(
    attempt: int, retry_after: float | None, rng: random.Random | None = None
) -> RetryDecision:
    """``attempt`` counts the failures so far (1 after the first failure)."""
    rng = rng or random.Random()  # noqa: S311 - jitter, not security
    if attempt >= MAX_ATTEMPTS:
        return RetryDecision(retry=False, wait_seconds=0.0)
    if retry_after is not None:
        wait = retry_after * (1 + rng.uniform(0, 0.10))
    else:
        wait = rng.uniform(0, min(BACKOFF_CAP_SECONDS, 2.0 ** (attempt - 1)))
    if wait > RESCHEDULE_ABOVE_SECONDS:
        return RetryDecision(retry=True, wait_seconds=wait, reschedule=True)
    return RetryDecision(retry=True, wait_seconds=wait)


def cooldown_seconds(
    failures: int, retry_after: float | None, rng: random.Random | None = None
) -> float:
    """How long a connection rests after ``failures`` transient refresh failures in a row.

    Retry-After when the provider gave one; else equal jitter over the capped exponential
    step, so even the first cooldown is a real pause (full jitter may draw ~0, which would
    let a dead-looking provider be hammered by every caller).
    """
    rng = rng or random.Random()  # noqa: S311 - jitter, not security
    if retry_after is not None:
        return max(1.0, retry_after * (1 + rng.uniform(0, 0.10)))
    step = min(BACKOFF_CAP_SECONDS, 2.0 ** max(0, failures - 1))
    return max(1.0, step / 2 + rng.uniform(0, step / 2))
