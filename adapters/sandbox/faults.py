"""Faults injected on demand: rate limits, 5xx bursts, slow answers, an answer that drips
forever, a token endpoint that hangs, a token refused.

Rules are deterministic: each hits the next ``times`` matching requests (after letting ``skip``
through), in the order the rules were added, and then retires.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Literal

import msgspec

from adapters.sandbox.config import Provider


class RateLimit(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="rate_limit"):
    """The provider's own throttle answer (429, or Salesforce's 403 REQUEST_LIMIT_EXCEEDED)."""

    retry_after: int = 30
    http_date: bool = False  # send Retry-After as an HTTP-date rather than seconds


class ServerError(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="server_error"):
    statuses: tuple[int, ...] = (503,)  # cycled across the burst: (500, 502, 503)
    retry_after: int | None = None


class Slow(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="slow"):
    seconds: float


class Drip(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="drip"):
    """A 200 whose body never ends: one byte every ``interval`` seconds, forever (``bytes``
    None) or that many. Each byte resets a per-read timeout, so only a deadline over the whole
    exchange ends the call. The request never reaches the provider: nothing rotates."""

    interval: float = 0.5
    bytes: int | None = None


class HangAfterProcessing(
    msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="hang_after_processing"
):
    """The request takes effect (a refresh rotates the token), then the answer never comes:
    after ``seconds`` the client gets a 504 instead of the tokens it paid for."""

    seconds: float = 60.0


class Unauthorized(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="unauthorized"):
    """The provider refuses the token itself, in its own shape (Slack: ``invalid_auth``,
    ``token_expired`` or ``token_revoked`` inside a 200; elsewhere a 401): an admin reset the
    app's tokens, the account was deactivated, the token aged out early."""

    reason: Literal["unknown", "expired", "revoked"] = "unknown"


Fault = RateLimit | ServerError | Slow | Drip | HangAfterProcessing | Unauthorized


class FaultRule(msgspec.Struct, frozen=True, kw_only=True):
    provider: Provider | Literal["*"]
    fault: Fault
    path: str = "*"  # a glob over the path inside the provider: "/api/conversations.*"
    method: str | None = None
    times: int | None = 1  # None: every matching request until the rules are cleared
    skip: int = 0


@dataclass
class _Active:
    id: int
    rule: FaultRule
    remaining: int | None
    to_skip: int
    hits: int = 0


class FaultBook:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[_Active] = []
        self._ids = itertools.count(1)

    def add(self, rule: FaultRule) -> int:
        with self._lock:
            active = _Active(next(self._ids), rule, rule.times, rule.skip)
            self._rules.append(active)
            return active.id

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def active(self) -> list[tuple[int, FaultRule, int | None]]:
        with self._lock:
            return [(a.id, a.rule, a.remaining) for a in self._rules]

    def take(self, provider: str, method: str, path: str) -> tuple[Fault, int] | None:
        """The fault for this request and how many times its rule has hit before, if any."""
        with self._lock:
            for active in self._rules:
                if not _matches(active.rule, provider, method, path):
                    continue
                if active.to_skip > 0:
                    active.to_skip -= 1
                    return None
                hit = active.hits
                active.hits += 1
                if active.remaining is not None:
                    active.remaining -= 1
                    if active.remaining <= 0:
                        self._rules.remove(active)
                return active.rule.fault, hit
        return None


def _matches(rule: FaultRule, provider: str, method: str, path: str) -> bool:
    if rule.provider not in ("*", provider):
        return False
    if rule.method is not None and rule.method.upper() != method.upper():
        return False
    return fnmatchcase(path, rule.path)
