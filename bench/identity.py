"""Identity under load: a sign-in storm must not stall the event loop; auth must stay cheap.

A real ``atlas serve`` process (HTTP, one worker, bcrypt cost 12, EdDSA tokens) over a
throwaway PostgreSQL. Figures:
- 16 concurrent sign-ins, several rounds, while ``/health`` is polled one request at a time:
  sign-in latency and throughput, and ``/health`` p99 during the storm (hashing runs in a
  bounded thread pool, so the loop keeps answering).
- authenticated ``GET /api/v1/me`` (JWT verification, session check, two reads) against the
  same app's bare ``GET /health``, in alternating batches: requests per second and their ratio.

Requests carry ``X-Forwarded-For`` through a trusted-proxy setting, as behind a load balancer,
so the per-address limits see many clients instead of one.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from adapters.postgres.throwaway import free_port, start_throwaway_database
from bench.stats import line, median, percentile

ACCOUNTS = 16
ROUNDS = 3
PASSWORD = "correct horse battery staple"  # noqa: S105 - a benchmark account
BATCHES = 6
BATCH_REQUESTS = 400
CONCURRENCY = 8


async def run() -> dict[str, float]:
    print("Identity: sign-in storm and authenticated request cost (atlas serve, HTTP)")
    db = await start_throwaway_database()
    port = free_port()
    server = _serve(db.app.render(hide_password=False), port)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            await _wait_ready(client, server)
            emails = await _sign_up(client)
            storm = await _storm(client, emails)
            ratio = await _auth_cost(client, emails[0])
        return storm | ratio
    finally:
        server.terminate()
        server.wait(timeout=30)
        db.cluster.destroy()


def _serve(database_url: str, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
    env |= {
        "ATLAS_DATA_DIR": tempfile.mkdtemp(prefix="atlas-bench-"),
        "ATLAS_DATABASE_URL": database_url,
        "ATLAS_TRUSTED_PROXIES": "127.0.0.1",
        "ATLAS_LOG_LEVEL": "WARNING",
    }
    atlas = str(Path(sys.executable).parent / "atlas")
    return subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [atlas, "serve", "--no-tls", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _wait_ready(client: httpx.AsyncClient, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("atlas serve exited")
        try:
            if (await client.get("/ready")).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("atlas serve did not become ready")


def _from(n: int) -> dict[str, str]:
    return {"X-Forwarded-For": f"198.18.{n // 250}.{n % 250 + 1}"}


async def _sign_up(client: httpx.AsyncClient) -> list[str]:
    emails = [f"bench-{n}@example.com" for n in range(ACCOUNTS)]
    for n, email in enumerate(emails):
        response = await client.post(
            "/api/v1/auth/signup",
            json={"email": email, "password": PASSWORD, "name": "Bench", "organisation": "Bench"},
            headers=_from(n),
        )
        response.raise_for_status()
    return emails


async def _storm(client: httpx.AsyncClient, emails: list[str]) -> dict[str, float]:
    health: list[float] = []
    statuses: list[int] = []
    done = asyncio.Event()

    async def poll() -> None:
        while not done.is_set():
            started = time.perf_counter()
            response = await client.get("/health")
            health.append(time.perf_counter() - started)
            statuses.append(response.status_code)

    async def log_in(n: int, email: str) -> tuple[float, int]:
        started = time.perf_counter()
        response = await client.post(
            "/api/v1/auth/login", json={"email": email, "password": PASSWORD}, headers=_from(n)
        )
        return time.perf_counter() - started, response.status_code

    poller = asyncio.create_task(poll())
    latencies, codes = [], []
    started = time.perf_counter()
    for round_ in range(ROUNDS):
        results = await asyncio.gather(
            *(log_in(round_ * ACCOUNTS + n, e) for n, e in enumerate(emails))
        )
        latencies += [r[0] for r in results]
        codes += [r[1] for r in results]
    elapsed = time.perf_counter() - started
    done.set()
    await poller
    ok = codes.count(200)
    answers = ", ".join(f"{code}: {codes.count(code)}" for code in sorted(set(codes)))
    line(f"sign-ins ({ROUNDS} rounds x {ACCOUNTS} concurrent), answers", answers)
    line(
        "sign-in latency p50 / p95 / max",
        _ms(median(latencies), percentile(latencies, 95), max(latencies)),
    )
    line("sign-in throughput", f"{ok / elapsed:.1f} /s")
    line(
        f"/health during the storm ({len(health)} polls) p50 / p99 / max",
        _ms(median(health), percentile(health, 99), max(health)),
    )
    line("/health answers other than 200", str(len([s for s in statuses if s != 200])))
    return {"health_p99_ms": percentile(health, 99) * 1000, "logins_per_s": ok / elapsed}


async def _auth_cost(client: httpx.AsyncClient, email: str) -> dict[str, float]:
    tokens = (
        await client.post(
            "/api/v1/auth/login", json={"email": email, "password": PASSWORD}, headers=_from(9999)
        )
    ).json()
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    rates: dict[str, list[float]] = {"/api/v1/me": [], "/health": []}
    for batch in range(BATCHES):
        order = ["/api/v1/me", "/health"] if batch % 2 == 0 else ["/health", "/api/v1/me"]
        for path in order:
            rates[path].append(await _batch(client, path, auth if path != "/health" else {}))
    me, bare = median(rates["/api/v1/me"]), median(rates["/health"])
    line("authenticated GET /api/v1/me (median of batches)", f"{me:.0f} req/s")
    line("bare GET /health, same app (median of batches)", f"{bare:.0f} req/s")
    line("ratio /me : bare (goal >= 0.5)", f"{me / bare:.2f}")
    return {"me_rps": me, "bare_rps": bare, "ratio": me / bare}


async def _batch(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> float:
    remaining = BATCH_REQUESTS

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            response = await client.get(path, headers=headers)
            response.raise_for_status()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return BATCH_REQUESTS / (time.perf_counter() - started)


def _ms(*seconds: float) -> str:
    return " / ".join(f"{s * 1000:.0f} ms" for s in seconds)
