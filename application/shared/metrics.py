"""What the application tells the operators' metrics: counts and durations, never who.

Labels are bounded by construction: a provider key, an outcome or a status code, never a tenant,
a user, a connection or anything a request carries (``docs/operations.md`` lists the series).
"""

from __future__ import annotations

from typing import Protocol

from domain.sync.run import SyncRun


class Metrics(Protocol):
    def provider_answered(self, provider: str, status: str) -> None:
        """One call to a provider's API ended: its HTTP status, or ``timeout`` / ``network``."""

    def provider_waited(self, provider: str, seconds: float) -> None:
        """A connector waited before retrying (a ``Retry-After`` or a backoff)."""

    def sync_ended(self, run: SyncRun) -> None:
        """A sync run ended (succeeded, failed or cancelled), with what it brought."""

    def feed_offered(self, sockets: int, latency_seconds: float) -> None:
        """An event was offered to this many sockets, this long after it was committed."""

    def token_refreshed(self, provider: str, outcome: str) -> None:
        """A refresh at the provider ended: refreshed, dead (needs reauth), refused,
        unavailable."""

    def import_ended(self, outcome: str, seconds: float) -> None:
        """An import job ended: succeeded, or the failure's stable code; how long it ran."""


class NoMetrics:
    """For code built without an operator listening (tools, some tests)."""

    def provider_answered(self, provider: str, status: str) -> None:
        return None

    def provider_waited(self, provider: str, seconds: float) -> None:
        return None

    def sync_ended(self, run: SyncRun) -> None:
        return None

    def feed_offered(self, sockets: int, latency_seconds: float) -> None:
        return None

    def token_refreshed(self, provider: str, outcome: str) -> None:
        return None

    def import_ended(self, outcome: str, seconds: float) -> None:
        return None
