"""A member's path through the real stack: sign up, connect a provider, sync it, read the run.

For apps built by ``create_app(real_container(...), with_worker=True)``: the worker runs in the
app's lifespan, on the same event loop, and claims jobs through PgQueuer on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.connect_flow import connect_with
from tests.e2e.identity_http import bearer, sign_up_verified

Client = AsyncTestClient[Any]
FINISHED = {"succeeded", "failed", "cancelled"}


async def member(client: Client) -> dict[str, str]:
    """A new account and tenant, its email verified from the development outbox (these apps
    keep the file outbox); the headers that authenticate as its owner."""
    return bearer(await sign_up_verified(client))


async def connected(
    client: Client, headers: dict[str, str], provider: str, *, backfill_days: int = 730, **body: Any
) -> str:
    attempt, outcome = await connect_with(client, headers, provider, **body)
    assert outcome.outcome == "connected", outcome
    changed = await client.patch(
        f"/api/v1/connections/{attempt.connection_id}",
        json={"backfill_days": backfill_days},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    return str(attempt.connection_id)


async def sync_now(client: Client, headers: dict[str, str], connection: str) -> dict[str, Any]:
    answer = await client.post(f"/api/v1/connections/{connection}/sync", headers=headers)
    assert answer.status_code == 202, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def finished(
    client: Client,
    headers: dict[str, str],
    run_id: str,
    *,
    within: float = 120.0,
    every: float = 0.05,
) -> dict[str, Any]:
    """Poll the run as a client would, every ``every`` seconds, until the worker finished it."""
    deadline = time.monotonic() + within
    while True:
        answer = await client.get(f"/api/v1/sync-runs/{run_id}", headers=headers)
        assert answer.status_code == 200, answer.text
        run = answer.json()
        if run["status"] in FINISHED:
            return run  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, f"run still {run['status']} after {within} s: {run}"
        await asyncio.sleep(every)
