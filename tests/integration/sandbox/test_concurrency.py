"""Concurrent refreshes with one refresh token: the sandbox decides each race atomically."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from adapters.fakes.clock import FrozenClock
from adapters.sandbox.app import create_sandbox_app
from adapters.sandbox.sandbox import Sandbox
from entrypoints.sandbox import listening_socket, sandbox_server
from tests.factories.sandbox import NOW, client_auth, config, connect, refresh, running_sandbox


async def test_fifty_concurrent_slack_refreshes_have_one_winner_and_revoke_the_family() -> None:
    async with running_sandbox() as h:
        tokens = (await connect(h.client, "slack"))["authed_user"]
        answers = await asyncio.gather(
            *(refresh(h.client, "slack", tokens["refresh_token"]) for _ in range(50))
        )

    bodies = [a.json() for a in answers]
    winners = [b for b in bodies if b["ok"]]
    assert len(winners) == 1
    assert all(b == {"ok": False, "error": "invalid_refresh_token"} for b in bodies if not b["ok"])
    assert h.sandbox.stats.get("slack", "refreshes") == 1
    assert h.sandbox.stats.get("slack", "family_revocations") == 1  # reuse is treated as theft


async def test_fifty_concurrent_jira_refreshes_inside_the_grace_period_all_succeed() -> None:
    async with running_sandbox() as h:
        tokens = await connect(h.client, "jira")
        answers = await asyncio.gather(
            *(refresh(h.client, "jira", tokens["refresh_token"]) for _ in range(50))
        )

    assert [a.status_code for a in answers] == [200] * 50
    assert len({a.json()["refresh_token"] for a in answers}) == 50
    assert h.sandbox.stats.get("jira", "grace_reuses") == 49
    assert h.sandbox.stats.get("jira", "family_revocations") == 0


@asynccontextmanager
async def served(sandbox: Sandbox) -> AsyncIterator[str]:
    sock = listening_socket("127.0.0.1", 0)
    server = sandbox_server(create_sandbox_app(sandbox), log_level="warning")
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True  # a graceful stop unregisters the listener from the loop
        await task
        sock.close()


async def test_over_real_connections_from_two_clients_one_rotation_wins() -> None:
    sandbox = Sandbox(config(), FrozenClock(NOW))
    async with (
        served(sandbox) as base,
        httpx.AsyncClient(base_url=base) as first,
        httpx.AsyncClient(base_url=base) as second,
    ):
        tokens = (await connect(first, "slack"))["authed_user"]
        form = {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            **client_auth("slack"),
        }
        calls = [
            (first if i % 2 else second).post("/slack/api/oauth.v2.access", data=form)
            for i in range(50)
        ]
        answers = await asyncio.gather(*calls)

    assert sum(a.json()["ok"] for a in answers) == 1
    assert sandbox.stats.get("slack", "refreshes") == 1
