"""Refresh storm: 1,000 connections expiring together, refreshed from two processes.

Each connection holds a real grant from the provider sandbox (``atlas sandbox serve``, its own
process: HubSpot with long-lived refresh tokens, Slack and Jira rotating them on every use),
stored in a throwaway PostgreSQL with tokens that expire in a minute. Two processes (this one
and a worker, ``tests.factories.refresh_worker``) then ask the token manager for every
connection's token at the same moment, 20 at a time each. Figures: refreshes per second over
the storm, and what the sandbox counted: duplicate refreshes (the goal is zero) and token
families it revoked because a rotated refresh token was used twice (also zero).
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import msgspec

from adapters.crypto.aesgcm_vault import AesGcmVault
from adapters.postgres.engine import create_engine, session_factory
from adapters.postgres.throwaway import free_port, start_throwaway_database
from adapters.postgres.vault_keys import PostgresKeyVersions
from adapters.sandbox.config import Provider
from adapters.sandbox.control_key import control_headers, ensure_control_key
from application.integrations.connection_tokens import ConnectionTokens
from bench.stats import line
from tests.factories.refresh_fleet import (
    Job,
    Report,
    connection_tokens,
    jobs_json,
    refresh_all,
    seed_fleet,
)
from tests.factories.vault import keyring_on

PROVIDERS: list[Provider] = ["hubspot", "slack", "jira"]
USERS, PER_USER = 50, 20  # 1,000 connections
CONCURRENCY = 20  # per process
ROOT = Path(__file__).resolve().parents[1]


async def run() -> dict[str, float]:
    print(f"Connections: refresh storm, {USERS * PER_USER:,} connections, two processes")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    db = await start_throwaway_database()
    port, data_dir = free_port(), Path(tempfile.mkdtemp(prefix="atlas-"))
    control = control_headers(ensure_control_key(data_dir))  # the served sandbox reads it too
    sandbox = _serve_sandbox(port, data_dir)
    base = f"http://127.0.0.1:{port}"
    engine = create_engine(db.app, pool_size=CONCURRENCY, max_overflow=5)
    try:
        sessions = session_factory(engine)
        keyring = keyring_on(PostgresKeyVersions(sessions))
        await keyring.start()
        vault = AesGcmVault(keyring)
        async with httpx.AsyncClient(base_url=base, timeout=30, headers=control) as provider:
            await _wait_ready(provider, sandbox)
            jobs = await seed_fleet(
                sessions, vault, provider, providers=PROVIDERS, users=USERS, per_user=PER_USER
            )
            before = await _counts(provider)
            jobs_file = Path(tempfile.mkdtemp(prefix="atlas-bench-")) / "jobs.json"
            jobs_file.write_bytes(jobs_json(jobs))
            async with connection_tokens(sessions, vault, base) as manager:
                url = db.app.render(hide_password=False)
                mine, theirs, seconds = await _storm(url, jobs_file, base, manager, jobs)
            after = await _counts(provider)
        counted = {k: after.get(k, 0) - before.get(k, 0) for k in after}
        return _report(counted, len(jobs), mine, theirs, seconds)
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)
        await engine.dispose()
        db.cluster.destroy()


def _serve_sandbox(port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
    env |= {"ATLAS_LOG_LEVEL": "WARNING", "ATLAS_DATA_DIR": str(data_dir)}
    command = "from entrypoints.cli import main; main()"
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", command, "sandbox", "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
    )  # fmt: skip


async def _wait_ready(client: httpx.AsyncClient, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError("the sandbox exited")
        try:
            if (await client.get("/_control/stats")).status_code == 200:
                return
        except httpx.TransportError:
            await asyncio.sleep(0.1)
    raise RuntimeError("the sandbox did not start")


async def _counts(client: httpx.AsyncClient) -> dict[str, int]:
    stats = (await client.get("/_control/stats")).json()
    totals: dict[str, int] = {}
    for provider in PROVIDERS:
        for event in ("refreshes", "refresh_failures", "family_revocations"):
            count = stats.get(provider, {}).get("total", {}).get(event, 0)
            totals[event] = totals.get(event, 0) + count
    return totals


async def _storm(
    database_url: str, jobs_file: Path, base: str, manager: ConnectionTokens, jobs: list[Job]
) -> tuple[Report, Report, float]:
    env = {**os.environ, "ATLAS_TEST_DATABASE_URL": database_url}
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.factories.refresh_worker", str(jobs_file),
        "--sandbox", base, "--concurrency", str(CONCURRENCY),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=ROOT, env=env,
    )  # fmt: skip
    assert worker.stdin is not None
    assert worker.stdout is not None
    try:
        if await asyncio.wait_for(worker.stdout.readline(), 120) != b"ready\n":
            raise RuntimeError("the refresh worker did not start")
        loop = asyncio.get_running_loop()
        started = loop.time()
        worker.stdin.write(b"go\n")
        await worker.stdin.drain()
        mine = await refresh_all(manager, jobs, calls_per_job=1, concurrency=CONCURRENCY)
        raw = await asyncio.wait_for(worker.stdout.readline(), 600)
        seconds = loop.time() - started
    finally:
        if worker.returncode is None:
            await worker.wait()
    return mine, msgspec.json.decode(raw, type=Report), seconds


def _report(
    counted: dict[str, int], connections: int, mine: Report, theirs: Report, seconds: float
) -> dict[str, float]:
    refreshes, revoked = counted["refreshes"], counted["family_revocations"]
    errors = {k: mine.errors.get(k, 0) + theirs.errors.get(k, 0)
              for k in {*mine.errors, *theirs.errors}}  # fmt: skip
    agreed = sum(mine.tokens[c] == theirs.tokens[c] for c in mine.tokens)
    line("connections refreshed (sandbox count)", f"{refreshes:,} of {connections:,}")
    line("refreshes per second (both processes, storm wall time)", f"{refreshes / seconds:,.0f}")
    line("storm wall time", f"{seconds:.2f} s")
    line("duplicate refreshes", f"{refreshes - connections:,}")
    line("refresh failures at the provider", f"{counted['refresh_failures']:,}")
    line("token families revoked (a rotated token reused)", f"{revoked:,}")
    line("both processes got the same token", f"{agreed:,} of {connections:,}")
    line("errors", str(errors or "none"))
    return {
        "refreshes_per_second": refreshes / seconds,
        "duplicates": float(refreshes - connections),
        "family_revocations": float(revoked),
    }
