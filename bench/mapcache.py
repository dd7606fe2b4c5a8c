"""Process maps of a 10-million-event tenant over real HTTP (issue 14, item 3): whole-log new
queries, /health while maps compute, and the API process's memory after 100 object types.

A throwaway PostgreSQL, migrated; one member with a session (``bench.feed_load.seed``); a
synthetic tenant (``bench.mapcache_load``): one object type ``case`` with ``--events``
occurrences, 19 smaller types of 1/200 of that each. One ``atlas serve --no-tls`` process
with the default map-cache budget (512 MiB). Then, over HTTP with the member's bearer token:
the first whole-log map (the log read, its columns built, the map computed), then whole-log
maps with a new ``top`` each time (a new query: computed over the cached columns, the way a
new filter is), then 100 distinct object types (``case``, the 19 others, 80 made-up ones).
All along, a second client asks ``GET /health`` every 20 ms; its latencies are reported per
phase (p99 while maps compute is the figure to watch: computing on the event loop would
stall it for seconds). The server's resident memory is read from /proc before and after.

``python -m bench mapcache`` runs 10 million events (``BENCH_MAP_EVENTS`` to change it);
``python -m bench.mapcache --events N [--queries Q] [--source DIR]`` runs N events and Q new
queries, serving the code of DIR (for instance another checkout, to compare).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.postgres.engine import create_engine, session_factory
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.throwaway import start_throwaway_database
from application.identity.sessions import Sessions
from application.shared.scope import Scope
from bench.feed_load import Member, seed
from bench.mapcache_load import load
from bench.stats import line, percentile
from entrypoints.identity_wiring import jwt_access_tokens
from entrypoints.settings import Settings, load_settings
from tests.factories.api_process import ServedApi
from tests.factories.sync_fleet import atlas_env

ROOT = Path(__file__).resolve().parents[1]
EVENTS = 10_000_000
SMALL_TYPES = 19
MADE_UP = 80
NEW_QUERIES = 9
PROBE_EVERY = 0.02  # seconds between /health requests
MAP = "/api/v1/graph/process-map"


async def run() -> dict[str, float]:
    return await measure(int(os.environ.get("BENCH_MAP_EVENTS", EVENTS)), ROOT, NEW_QUERIES)


class Prober:
    """``GET /health`` every ``PROBE_EVERY`` seconds; each latency filed under the phase."""

    def __init__(self, server: ServedApi) -> None:
        self.phase = "idle"
        self.latencies: dict[str, list[float]] = {}
        self._server = server
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Prober:
        self._task = asyncio.create_task(self._probe())
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _probe(self) -> None:
        async with self._server.client() as client:
            while True:
                started = time.perf_counter()
                answer = await client.get("/health")
                assert answer.status_code == 200, answer.text
                seconds = time.perf_counter() - started
                self.latencies.setdefault(self.phase, []).append(seconds)
                await asyncio.sleep(PROBE_EVERY)


async def measure(events: int, source: Path, queries: int) -> dict[str, float]:
    print(f"Map cache: {events:,} events of one object type over HTTP (code from {source})")
    db = await start_throwaway_database()
    root = Path(tempfile.mkdtemp(prefix="atlas-bench-maps-"))
    shared = {
        "ATLAS_DATABASE_URL": db.app.render(hide_password=False),
        "ATLAS_SANDBOX": "false",
        "ATLAS_LOG_LEVEL": "WARNING",
    }
    engine = create_engine(db.app, pool_size=2, max_overflow=2)
    server: ServedApi | None = None
    try:
        settings = load_settings(shared | {"ATLAS_DATA_DIR": str(root / "data")})
        [[owner, *_]] = await seed(settings, session_factory(engine), 1, 2)
        types = {"case": events} | {
            f"kind-{n:02d}": max(1, events // 200) for n in range(1, SMALL_TYPES + 1)
        }
        started = time.perf_counter()
        written = await load(db.superuser.with_database(db.app.database), owner.tenant, types)
        seconds = time.perf_counter() - started
        line("synthetic tenant loaded (COPY)", f"{written:,} events in {seconds:.0f} s")
        env = atlas_env(settings.data_dir, **shared | {"ATLAS_PASSWORD_HASH_CONCURRENCY": "1"})
        server = ServedApi(env | {"PYTHONPATH": str(source)}, root / "api.log")
        await server.ready()
        return await _measure(server, _signer(settings, engine, owner), list(types), queries)
    finally:
        if server is not None:
            server.stop()
        await engine.dispose()
        db.cluster.destroy()
        shutil.rmtree(root, ignore_errors=True)


def _signer(
    settings: Settings, engine: AsyncEngine, owner: Member
) -> Callable[[], Awaitable[dict[str, str]]]:
    """Access tokens last 15 minutes at most: a fresh one per request, opened as a sign-in
    would (the load and the first map of 10M events take longer than that)."""
    tokens = next(jwt_access_tokens(settings, SystemClock()))
    opener = Sessions(tokens, SystemClock(), settings.identity.sessions)
    sessions = session_factory(engine)

    async def headers() -> dict[str, str]:
        scope = Scope(tenant_id=owner.tenant, user_id=owner.user)
        async with PostgresIdentityUnitOfWork(sessions, scope) as uow:
            pair = await opener.open(
                uow, tenant_id=owner.tenant, user_id=owner.user, role=owner.role
            )
            await uow.commit()
        return {"Authorization": f"Bearer {pair.access_token.reveal()}"}

    return headers


async def _measure(
    server: ServedApi,
    headers: Callable[[], Awaitable[dict[str, str]]],
    types: list[str],
    queries: int,
) -> dict[str, float]:
    async with server.client() as client, Prober(server) as prober:
        client.timeout = httpx.Timeout(600)

        async def served(object_type: str, top: int) -> tuple[float, int]:
            signed = await headers()
            started = time.perf_counter()
            answer = await client.get(
                MAP, params={"object_type": object_type, "top": top}, headers=signed
            )
            assert answer.status_code == 200, answer.text
            return time.perf_counter() - started, answer.json()["map"]["objects"]

        await served("made-up-warm-up", 10)  # the process's imports and pools, not the maps
        await asyncio.sleep(3)
        before = server.rss_kib()
        prober.phase = "first"
        first, objects = await served("case", 10)
        line("first whole-log map (read, build columns, compute)", f"{first:.2f} s")
        prober.phase = "new"
        new = []
        for k in range(queries):
            new.append((await served("case", 11 + k))[0])
            line(f"whole-log new query {k + 1}", f"{new[-1]:.2f} s")
        prober.phase = "types"
        made_up = [f"made-up-{n}" for n in range(MADE_UP)]
        for object_type in types[1:] + made_up:
            await served(object_type, 10)
        prober.phase = "after"
        await asyncio.sleep(3)
        after, peak = server.rss_kib(), _peak_kib(server)
        await served("case", 10)  # still cached: the small types and made-up ones evicted nothing
    computing = prober.latencies.get("first", []) + prober.latencies.get("new", [])
    return _report(first, objects, new, prober.latencies, computing, (before, after, peak))


def _peak_kib(server: ServedApi) -> int:
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    return int(next(x for x in status.splitlines() if x.startswith("VmHWM:")).split()[1])


def _report(  # noqa: PLR0917 - one call, each figure named there
    first: float,
    objects: int,
    new: list[float],
    latencies: dict[str, list[float]],
    computing: list[float],
    rss: tuple[int, int, int],
) -> dict[str, float]:
    before, after, peak = (kib / 1024 for kib in rss)
    line("objects in the whole-log map", f"{objects:,}")
    line(f"whole-log new query, p50 of {len(new)} (goal < 1 s)", f"{percentile(new, 50):.2f} s")
    line("whole-log new query, max", f"{max(new):.2f} s")
    for phase, values in latencies.items():
        line(f"/health p99 while '{phase}' ({len(values)} probes)",
             f"{percentile(values, 99) * 1000:.1f} ms (max {max(values) * 1000:.1f})")  # fmt: skip
    line(
        "/health p99 while maps compute (goal < 50 ms)",
        f"{percentile(computing, 99) * 1000:.1f} ms",
    )
    line("API RSS before maps / after 100 object types (budget 512 MiB)",
         f"{before:.0f} / {after:.0f} MiB (growth {after - before:.0f} MiB)")  # fmt: skip
    line("API peak RSS (while building)", f"{peak:.0f} MiB")
    return {
        "first_s": first,
        "new_p50_s": percentile(new, 50),
        "health_p99_ms": percentile(computing, 99) * 1000,
        "rss_after_mib": after,
        "rss_growth_mib": after - before,
        "peak_rss_mib": peak,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=EVENTS)
    parser.add_argument("--source", type=Path, default=ROOT, help="the checkout to serve")
    parser.add_argument("--queries", type=int, default=NEW_QUERIES, help="new whole-log queries")
    arguments = parser.parse_args()
    asyncio.run(measure(arguments.events, arguments.source.resolve(), arguments.queries))
