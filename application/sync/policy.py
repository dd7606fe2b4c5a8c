"""How the sync engine paces itself, and what a run's job tells the queue."""

from __future__ import annotations

import msgspec

from domain.sync.schedule import DEFAULT_INTERVAL_SECONDS


class SyncPolicy(msgspec.Struct, frozen=True, kw_only=True):
    interval_seconds: int = DEFAULT_INTERVAL_SECONDS
    max_attempts: int = 8  # unreachable provider: attempts of one run before it fails
    backoff_cap_seconds: float = 900.0
    # Pages smaller than this (records + removals) are stored together, in one transaction:
    # every commit re-reads and rewrites the sequences of the people, companies and channels it
    # touches, so a provider's 100-record pages would rewrite the same histories over and over.
    store_records: int = 2_000
    # Streams a reader calls independent (Slack's channels) read and stored this many at once:
    # a pass over 160 small channels is otherwise one round trip after another.
    streams_together: int = 4


class RunOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """``come_back_after``: hand the job back to the queue for that long (None: done)."""

    come_back_after: float | None = None


DONE = RunOutcome()
