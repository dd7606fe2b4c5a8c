"""Sync: the large sandbox company from all seven providers, end to end, then an incremental pass.

The sandbox (``atlas sandbox serve --scale large --no-rate-limits``) runs in its own process
with its clock frozen past the end of its data; one tenant connects all seven providers through
the HTTP API (the consent flow at the sandbox); one worker (``atlas worker``, its own process,
a job per provider at once) syncs them into a throwaway PostgreSQL. Figures: provider records
read per second from the first trigger until the last run committed (overall, and per provider
over its own run), the worker's peak RSS; then, after 1 % of the company's records change, the
wall time of an incremental pass of all seven. Duplicates are counted in the database.

``ATLAS_BENCH_SYNC_WORKERS=N`` runs N worker processes instead of one, sharing the jobs through
the queue as workers on several machines would (the seven jobs split between them).
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from adapters.postgres.throwaway import ThrowawayDatabase, start_throwaway_database
from bench.stats import line
from domain.integrations.providers import CATALOG
from entrypoints.container import real_container
from entrypoints.database import DatabaseEndpoints
from entrypoints.http.app import create_app
from entrypoints.settings import load_settings
from tests.e2e.connect_flow import BASE
from tests.e2e.sync_flow import finished, member, sync_now
from tests.factories.sync_fleet import (
    ServedSandbox,
    WorkerProcess,
    atlas_env,
    connect_at,
    served_sandbox,
)

CHANGED_SHARE = 0.01
KINDS = ("account", "person", "deal", "ticket", "issue", "email", "meeting", "message")
DUPLICATES = """SELECT count(*) FROM (SELECT 1 FROM atlas.graph_activities
    GROUP BY tenant_id, provider, scope, source_id HAVING count(*) > 1) d"""


async def run() -> dict[str, float]:
    workers = int(os.environ.get("ATLAS_BENCH_SYNC_WORKERS", "1"))
    print(
        "Sync: the large sandbox company, seven providers, "
        + ("one worker (its own process)" if workers == 1 else f"{workers} worker processes")
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    db = await start_throwaway_database()
    root = Path(tempfile.mkdtemp(prefix="atlas-bench-sync-"))
    # Past the end of the seeded data (it runs a fortnight beyond today): all of it is visible.
    frozen = datetime.now(UTC).replace(microsecond=0) + timedelta(days=15)
    try:
        async with served_sandbox(root / "sandbox", clock_at=frozen, scale="large") as sandbox:
            return await _bench(db, sandbox, root, workers)
    finally:
        db.cluster.destroy()


async def _bench(
    db: ThrowawayDatabase, sandbox: ServedSandbox, root: Path, workers: int
) -> dict[str, float]:
    shared = {"ATLAS_PROVIDERS_BASE_URL": sandbox.base, "ATLAS_SANDBOX": "false"}
    settings = load_settings(shared | {"ATLAS_LOG_LEVEL": "WARNING"}, cwd=root)
    app_ = create_app(real_container(settings, DatabaseEndpoints(app=db.app, owner=None)))
    brief = (await sandbox.client.get("/_control/dataset")).json()
    line(
        "sandbox records at the frozen clock (GET /_control/dataset)", f"{brief['records_total']:,}"
    )
    async with AsyncTestClient(app_, base_url=BASE, timeout=600) as app:
        owner = await member(app)
        connections = {}
        for provider in CATALOG:
            body = {"subdomain": "northwind"} if provider == "zendesk" else {}
            connections[provider] = await connect_at(app, sandbox, owner, provider, **body)
            await app.patch(
                f"/api/v1/connections/{connections[provider]}",
                json={"backfill_days": 730},
                headers=owner,
            )
        env = atlas_env(
            settings.data_dir,
            **shared,
            ATLAS_LOG_LEVEL="WARNING",
            ATLAS_DATABASE_URL=db.app.render(hide_password=False),
        )
        each = math.ceil(len(CATALOG) / workers)
        fleet = [
            WorkerProcess(env, root / f"worker-{n}.log", concurrency=each) for n in range(workers)
        ]
        try:
            for worker in fleet:
                await worker.started()
            figures = await _initial(app, owner, connections)
            figures["peak_rss_mb"] = max(_peak_rss_mb(w.process.pid) for w in fleet)
            line("worker peak RSS (the largest)", f"{figures['peak_rss_mb']:.0f} MB")
            await _change(sandbox, brief)
            figures |= await _incremental(app, owner, connections)
        finally:
            for worker in fleet:
                worker.close()
    figures["duplicates"] = await _duplicates(db)
    line("duplicate activities (same source record twice)", f"{figures['duplicates']:.0f}")
    return figures


async def _pass(
    app: Any, owner: dict[str, str], connections: dict[str, str]
) -> tuple[float, dict[str, Any]]:
    # Timed from the trigger to the last commit by the runs' own timestamps (the same machine's
    # clock), so the bench's polling (once a second, to leave the CPU to the worker) adds nothing.
    triggered = datetime.now(UTC)
    runs = {p: await sync_now(app, owner, c) for p, c in connections.items()}
    done = {p: await finished(app, owner, r["id"], within=3600, every=1.0) for p, r in runs.items()}
    seconds = (max(_when(r["finished_at"]) for r in done.values()) - triggered).total_seconds()
    failed = {p: r["error"] for p, r in done.items() if r["status"] != "succeeded"}
    assert not failed, failed
    return seconds, done


async def _initial(
    app: Any, owner: dict[str, str], connections: dict[str, str]
) -> dict[str, float]:
    seconds, done = await _pass(app, owner, connections)
    total = sum(r["fetched"] for r in done.values())
    for provider, run in sorted(done.items()):
        took = (_when(run["finished_at"]) - _when(run["started_at"])).total_seconds()
        line(
            f"  {provider}: {run['fetched']:,} records in {took:.1f} s",
            f"{run['fetched'] / took:,.0f} records/s",
        )
    line(
        f"initial sync: {total:,} records in {seconds:.1f} s (trigger to last commit)",
        f"{total / seconds:,.0f} records/s",
    )
    return {
        "records": float(total),
        "initial_seconds": seconds,
        "records_per_second": total / seconds,
    }


async def _change(sandbox: ServedSandbox, brief: dict[str, Any]) -> None:
    """1 % of each kind of record changes, then the clock moves past every connector's lag."""
    counts = brief["counts"]
    changed = 0
    for kind in KINDS:
        plural = {"person": "people", "account": "accounts"}.get(kind, kind + "s")
        for key in range(0, counts[plural], int(1 / CHANGED_SHARE)):
            await sandbox.client.post(
                "/_control/records", json={"kind": kind, "key": key, "action": "touch"}
            )
            changed += 1
    await sandbox.client.post("/_control/clock", json={"advance_seconds": 180})
    line("records changed (touched) for the incremental pass", f"{changed:,}")


async def _incremental(
    app: Any, owner: dict[str, str], connections: dict[str, str]
) -> dict[str, float]:
    seconds, done = await _pass(app, owner, connections)
    for provider, run in sorted(done.items()):
        took = (_when(run["finished_at"]) - _when(run["started_at"])).total_seconds()
        waited = (_when(run["started_at"]) - _when(run["requested_at"])).total_seconds()
        line(
            f"  {provider}: {run['fetched']:,} read, {run['records_changed']:,} changed",
            f"{took:.1f} s (queued {waited:.1f} s)",
        )
    fetched = sum(r["fetched"] for r in done.values())
    new = sum(r["records_new"] for r in done.values())
    changed = sum(r["records_changed"] for r in done.values())
    line(
        f"incremental pass: {fetched:,} records read, {new:,} new, {changed:,} changed",
        f"{seconds:.1f} s",
    )
    return {"incremental_seconds": seconds}


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _peak_rss_mb(pid: int) -> float:
    for status in Path(f"/proc/{pid}/status").read_text().splitlines():
        if status.startswith("VmHWM:"):
            return int(status.split()[1]) / 1024
    return float("nan")


async def _duplicates(db: ThrowawayDatabase) -> float:
    conn = await asyncpg.connect(**db.superuser.with_database("atlas").asyncpg_kwargs())
    try:
        return float(await conn.fetchval(DUPLICATES))
    finally:
        await conn.close()
