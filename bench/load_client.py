"""The load benchmark's HTTP side: every answer timed per endpoint and checked.

Checked for: a 5xx (a 503 is back-pressure or a dependency down, told apart by its problem
code; anything else is a finding), another tenant's marker in the body (each tenant's names,
emails, cases and activities carry its own marker), and the Atlas ids it carries (compared
across tenants at the end, for what has no marker: the synced sandbox data is the same
company for every tenant). A 503 or 429 is retried after its Retry-After, as a client should;
so is a 500 or a dropped connection (counted first), so one failure does not end a tenant's
script and hide what comes after it.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx

UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
RETRIES = 40  # per request: enough to outlast a database restart at one try a second or so
AT_MOST_WAIT = 3.0  # seconds between tries, whatever Retry-After says


class LoadFailure(Exception):
    """A request still failed after every retry: the tenant's script stops there."""


@dataclass
class Ledger:
    """What every request of a run came to, for all tenants."""

    markers: dict[str, int]  # marker -> tenant index
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    problems: Counter[tuple[int, str]] = field(default_factory=Counter)  # 5xx by problem code
    transport: Counter[str] = field(default_factory=Counter)  # no answer at all
    leaks: list[str] = field(default_factory=list)
    seen_ids: dict[int, set[bytes]] = field(default_factory=lambda: defaultdict(set))
    owned_ids: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    first_5xx: dict[str, str] = field(default_factory=dict)  # problem code -> one body
    _pattern: re.Pattern[bytes] | None = None

    def pattern(self) -> re.Pattern[bytes]:
        if self._pattern is None:
            alternatives = b"|".join(re.escape(m.encode()) for m in self.markers)
            self._pattern = re.compile(alternatives)
        return self._pattern

    def check(self, tenant: int, label: str, answer: httpx.Response) -> None:
        body = answer.content
        for found in set(self.pattern().findall(body)):
            owner = self.markers[found.decode()]
            if owner != tenant:
                self.leaks.append(f"tenant {tenant} got tenant {owner}'s marker from {label}")
        self.seen_ids[tenant].update(UUID.findall(body))

    def cross_tenant_ids(self) -> list[str]:
        """Ids listed as one tenant's entities or activities found in another's answers."""
        found = []
        for owner, ids in self.owned_ids.items():
            mine = {i.encode() for i in ids}
            for other, seen in self.seen_ids.items():
                if other != owner and (shared := mine & seen):
                    found.append(f"tenant {other} saw {len(shared)} ids of tenant {owner}")
        return found


class TenantClient:
    """One tenant's calls to the API processes, alternating between them per request."""

    def __init__(self, index: int, clients: list[httpx.AsyncClient], ledger: Ledger) -> None:
        self.index, self._clients, self._ledger = index, clients, ledger
        self._turn = index
        self.headers: dict[str, str] = {}
        # Each tenant is someone else somewhere else: its own client address, as the bench's
        # "load balancer" (a trusted proxy, ATLAS_TRUSTED_PROXIES) says. From one address, 50
        # sign-ups would meet the per-address sign-up limit (10 an hour), as they should.
        self._address = {"X-Forwarded-For": f"10.77.{index // 250}.{index % 250 + 1}"}

    async def call(
        self, method: str, label: str, url: str, *, expect: tuple[int, ...] = (200,), **kw: Any
    ) -> httpx.Response:
        kw["headers"] = kw.get("headers", self.headers) | self._address
        for _ in range(RETRIES):
            self._turn += 1
            client = self._clients[self._turn % len(self._clients)]
            started = time.perf_counter()
            try:
                answer = await client.request(method, url, **kw)
            except httpx.TransportError as error:
                self._ledger.transport[f"{label}: {type(error).__name__}"] += 1
                await asyncio.sleep(1.0)
                continue
            took = (time.perf_counter() - started) * 1000
            self._ledger.latencies[label].append(took)
            self._ledger.statuses[(label, answer.status_code)] += 1
            self._ledger.check(self.index, label, answer)
            if answer.status_code in expect:
                return answer
            if answer.status_code >= 500 or answer.status_code == 429:
                if answer.status_code >= 500:
                    code = _problem_code(answer)
                    self._ledger.problems[(answer.status_code, code)] += 1
                    self._ledger.first_5xx.setdefault(f"{answer.status_code} {code}",
                                                      f"{label}: {answer.text[:300]}")  # fmt: skip
                await asyncio.sleep(_retry_after(answer))
                continue
            raise LoadFailure(f"{label}: {answer.status_code} {answer.text[:300]}")
        raise LoadFailure(f"{label}: no success after {RETRIES} tries")

    def own(self, ids: list[str]) -> None:
        self._ledger.owned_ids[self.index].update(ids)


def _problem_code(answer: httpx.Response) -> str:
    try:
        return str(answer.json().get("code", "?"))
    except ValueError:
        return "not problem+json"


def _retry_after(answer: httpx.Response) -> float:
    try:
        return min(AT_MOST_WAIT, max(0.2, float(answer.headers.get("retry-after", "1"))))
    except ValueError:
        return 1.0
