"""Load and faults (issue 14): two API processes and two workers over one PostgreSQL, 50
tenants at once, then the same again with the database restarted in the middle.

A throwaway PostgreSQL on its Unix socket, migrated; the provider sandbox (``atlas sandbox
serve``, its clock frozen, so every sync sees the same company); two ``atlas serve --no-tls``
processes and two ``atlas worker`` processes. Each tenant (``bench.load_tenant``) signs up
and in, connects HubSpot through the sandbox's consent page, syncs, imports a small XES log,
reads maps, variants, entities and activities, and syncs again; its requests alternate
between the two API processes. Every answer is checked (``bench.load_client``): a 5xx other
than a 503 is a finding, an answer carrying another tenant's marker or ids is a leak.

Run 1 ("steady") has nothing go wrong. Run 2 ("restart") has 50 new tenants do the same while
the database is stopped and started again (same data directory, same socket) half way through
run 1's duration; the API processes and workers are not touched: they must recover alone.
Then every tenant of both runs must end with the same sync cursors and graph counts.

Bounded: ``ATLAS_BENCH_LOAD_TENANTS`` (default 50) tenants per run, three rounds of reads,
``PHASE_SECONDS`` at most per run.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from adapters.postgres.throwaway import ThrowawayDatabase, start_throwaway_database
from bench.load_client import Ledger, TenantClient
from bench.load_report import report
from bench.load_state import signatures
from bench.load_tenant import Outcome, TenantScript
from tests.factories.api_process import ServedApi
from tests.factories.sync_fleet import ServedSandbox, WorkerProcess, atlas_env, served_sandbox

# The processes run this checkout's code, whichever checkout installed the shared virtualenv.
CHECKOUT = Path(__file__).resolve().parent.parent
TENANTS = int(os.environ.get("ATLAS_BENCH_LOAD_TENANTS", "50"))
ROUNDS = 3  # rounds of reads per tenant between its two syncs
PHASE_SECONDS = 420.0  # a run's bound: a tenant not done by then counts as unfinished
DOWN_SECONDS = 5.0  # how long the database stays stopped


@dataclass
class Stack:
    db: ThrowawayDatabase
    sandbox: ServedSandbox
    apis: list[ServedApi]
    workers: list[WorkerProcess]


@dataclass
class Phase:
    name: str
    seconds: float
    outcomes: list[Outcome]
    ledger: Ledger
    restart: tuple[float, float] | None  # (stopped at, started again at), s into the run


async def run() -> dict[str, float]:
    print(f"Load and faults: {TENANTS} tenants, 2 API processes, 2 workers, one PostgreSQL; "
          "then again with the database restarted half way")  # fmt: skip
    logging.getLogger("httpx").setLevel(logging.WARNING)
    db = await start_throwaway_database()
    root = Path(tempfile.mkdtemp(prefix="atlas-bench-load-"))
    frozen = datetime.now(UTC).replace(microsecond=0)
    try:
        async with served_sandbox(root / "sandbox", clock_at=frozen) as sandbox:
            stack = await _start(db, sandbox, root)
            try:
                return await _both(stack)
            finally:
                for api in stack.apis:
                    api.stop()
                for worker in stack.workers:
                    worker.close()
    finally:
        db.cluster.destroy()
        shutil.rmtree(root, ignore_errors=True)


async def _start(db: ThrowawayDatabase, sandbox: ServedSandbox, root: Path) -> Stack:
    env = atlas_env(root / "data", ATLAS_DATABASE_URL=db.app.render(hide_password=False),
                    ATLAS_PROVIDERS_BASE_URL=sandbox.base, ATLAS_SANDBOX="false",
                    ATLAS_LOG_LEVEL="WARNING", ATLAS_TRUSTED_PROXIES="127.0.0.1/32",
                    PYTHONPATH=str(CHECKOUT))  # fmt: skip
    # One after the other: the first creates the development keys and secrets all share.
    apis = [ServedApi(env, root / "api-1.log")]
    await apis[0].ready()
    apis.append(ServedApi(env, root / "api-2.log"))
    await apis[1].ready()
    workers = [WorkerProcess(env, root / f"worker-{n}.log", concurrency=2) for n in (1, 2)]
    for worker in workers:
        await worker.started()
    return Stack(db, sandbox, apis, workers)


async def _both(stack: Stack) -> dict[str, float]:
    markers = {f"m{n:03d}{secrets.token_hex(4)}": n for n in range(2 * TENANTS)}
    steady = await _phase(stack, "steady", markers, 0, restart_after=None)
    restart = await _phase(stack, "restart", markers, TENANTS, restart_after=steady.seconds / 2)
    alive = [api.process.poll() is None for api in stack.apis]
    alive += [worker.process.poll() is None for worker in stack.workers]
    ready = []
    for api in stack.apis:
        async with api.client() as client:
            ready.append((await client.get("/ready")).status_code == 200)
    ends = {name: await signatures(stack.db, f"Load {name} ") for name in ("steady", "restart")}
    logs = [api.log for api in stack.apis] + [w.log for w in stack.workers]
    return report([steady, restart], ends, alive, ready, logs)


async def _phase(
    stack: Stack, name: str, markers: dict[str, int], first: int, *, restart_after: float | None
) -> Phase:
    print(f"  run '{name}': {TENANTS} tenants at once ...", flush=True)
    ledger = Ledger(markers=markers)
    mine = {n: m for m, n in markers.items()}
    limits = httpx.Limits(max_connections=TENANTS, max_keepalive_connections=TENANTS)
    clients = [httpx.AsyncClient(base_url=a.base, timeout=120, limits=limits) for a in stack.apis]
    started = time.monotonic()
    deadline = started + PHASE_SECONDS
    restart: list[tuple[float, float]] = []
    try:
        scripts = [
            TenantScript(TenantClient(n, clients, ledger), mine[n],
                         f"Load {name} {n - first:02d} {mine[n]}", stack.sandbox.client, ROUNDS)
            for n in range(first, first + TENANTS)
        ]  # fmt: skip
        fault = (
            asyncio.create_task(_restart(stack.db, started, restart_after, restart))
            if restart_after is not None
            else None
        )
        outcomes = await asyncio.gather(*(s.run(deadline) for s in scripts))
        if fault is not None:
            await fault
    finally:
        for client in clients:
            await client.aclose()
    return Phase(name, time.monotonic() - started, list(outcomes), ledger,
                 restart[0] if restart else None)  # fmt: skip


async def _restart(
    db: ThrowawayDatabase, started: float, after: float, record: list[tuple[float, float]]
) -> None:
    await asyncio.sleep(after)
    stopped = time.monotonic() - started
    await asyncio.to_thread(db.cluster.stop)
    await asyncio.sleep(DOWN_SECONDS)
    await asyncio.to_thread(db.cluster.start)
    record.append((stopped, time.monotonic() - started))
