"""Provider sandbox at scale: generate the large company, then page every endpoint a sync uses.

First ``Dataset.generate`` at scale 1 and at the large preset (seconds, peak traced memory).
Then, in process (httpx's ASGI transport over ``create_sandbox_app``, rate limits off, a clock
one day past the data that keeps ticking), each list endpoint a connector pages through is
walked to its end the way a full sync walks it, and the calls, records and seconds are
reported per endpoint. An endpoint still going after ``BUDGET`` seconds is stopped and reported
with how far it got: that is the quadratic case this benchmark exists to catch. Every walk then
runs again with the overlay in use (a record of each kind deleted and another touched, as
tests do through the control API): the views lay it over their indexes and cached tables, and
must still page in O(page).
"""

from __future__ import annotations

import gc
import logging
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from adapters.sandbox.app import create_sandbox_app
from adapters.sandbox.config import PROVIDERS
from adapters.sandbox.mutations import RecordKind
from adapters.sandbox.providers.google.mailbox import mailbox
from adapters.sandbox.sandbox import Sandbox
from adapters.sandbox.seed.census import census, total
from adapters.sandbox.seed.dataset import Dataset
from adapters.sandbox.seed.scale import LARGE_SCALE
from application.shared.ports import Clock
from bench.stats import line
from tests.factories import sandbox_walks as walks
from tests.factories.sandbox import BASE, access_token, bearer, config, connect

BUDGET = 60.0  # seconds per endpoint before it counts as too slow to finish
START = datetime(2025, 9, 1, tzinfo=UTC)


class _Ticking(Clock):
    """Real time, shifted to start at ``at``: a sync sees the clock move, as it would live."""

    def __init__(self, at: datetime) -> None:
        self._at, self._t0 = at, time.monotonic()

    def now(self) -> datetime:
        return self._at + timedelta(seconds=time.monotonic() - self._t0)


def _generation(scale: float) -> dict[str, float]:
    gc.collect()
    began = time.perf_counter()
    Dataset.generate(seed=2026, start=START, days=150, scale=scale)
    seconds = time.perf_counter() - began
    tracemalloc.start()
    dataset = Dataset.generate(seed=2026, start=START, days=150, scale=scale)
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    records = total(census(dataset, dataset.end))
    line(f"generate scale {scale:g}: {records:,} records", f"{seconds:.2f} s, peak {peak:.0f} MB")
    return {f"generate_{scale:g}_s": seconds, f"generate_{scale:g}_peak_mb": peak}


async def _tokens(client: httpx.AsyncClient) -> dict[str, dict[str, str]]:
    return {p: bearer(access_token(p, await connect(client, p))) for p in PROVIDERS}


async def _walk(
    name: str, walk: Callable[[walks.Meter], Awaitable[None]], meter: walks.Meter
) -> dict[str, float]:
    began = time.perf_counter()
    try:
        await walk(meter)
        status = "done"
    except walks.OutOfTime:
        status = f"STOPPED after {BUDGET:.0f} s"
    seconds = time.perf_counter() - began
    line(
        f"{name}: {meter.calls:,} calls, {meter.records:,} records",
        f"{seconds:6.2f} s  {meter.calls / seconds:7.0f} calls/s  "
        f"{meter.records / seconds:8.0f} records/s  {status}",
    )
    return {f"{name}_s": seconds, f"{name}_calls_per_s": meter.calls / seconds}


async def run() -> dict[str, float]:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    print(f"Provider sandbox: generation, then paging every endpoint at scale {LARGE_SCALE:g}")
    results = _generation(1) | _generation(LARGE_SCALE)
    settings = config(scale=LARGE_SCALE, zendesk_export_per_minute=None)
    clock = _Ticking(START + timedelta(days=150 + 1))
    sandbox = Sandbox(settings, clock)
    transport = httpx.ASGITransport(app=create_sandbox_app(sandbox))
    async with httpx.AsyncClient(transport=transport, base_url=BASE, timeout=600) as client:
        tokens = await _tokens(client)
        oldest = mailbox(sandbox.dataset, sandbox.dataset.revops_lead.key).oldest_valid(clock.now())
        context: dict[str, Any] = {"history_start": oldest}
        for name, provider, walk in walks.WALKS:
            meter = walks.Meter(client, tokens[provider], BUDGET, context)
            results |= await _walk(name, walk, meter)
        _overlay(sandbox, clock.now())
        context = {"history_start": oldest}  # the ids the walks collect, collected afresh
        for name, provider, walk in walks.WALKS:
            meter = walks.Meter(client, tokens[provider], BUDGET, context)
            results |= await _walk(f"{name} (overlay)", walk, meter)
    return results


def _overlay(sandbox: Sandbox, at: datetime) -> None:
    """A record of every kind deleted and another touched, a minute before ``at``."""
    d, before = sandbox.dataset, at - timedelta(minutes=1)
    lead = mailbox(d, d.revops_lead.key)
    kinds: dict[RecordKind, list[int]] = {
        "account": [a.key for a in d.accounts],
        "person": [p.key for p in d.people if not p.internal],
        "deal": [x.key for x in d.deals],
        "ticket": [t.key for t in d.tickets],
        "issue": [i.key for i in d.issues],
        "email": sorted(lead.by_key),  # hers, so Gmail has one to leave out
        "meeting": [m.key for m in d.meetings],
        "message": [m.key for m in d.messages if m.parent is None],
    }
    for kind, keys in kinds.items():
        sandbox.mutations.delete(kind, keys[len(keys) // 2], before)
        sandbox.mutations.touch(kind, keys[len(keys) // 3], before)
