"""A provider API answer that drips forever ends at the call's deadline, on the retry path.

The sandbox on a real port (real bytes on a real socket) and the real ``ProviderApi``; only the
access token comes from a stand-in (the refresh is tested in tests/integration/integrations).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import httpx
import pytest

from adapters.clock import SystemClock
from adapters.connectors.api import ProviderApi
from adapters.connectors.oauth_client import open_http_client
from adapters.sandbox.app import create_sandbox_app
from adapters.sandbox.faults import Drip, FaultRule
from adapters.sandbox.sandbox import Sandbox
from application.integrations.connection_tokens import AccessGrant
from domain.integrations.retry import MAX_ATTEMPTS
from domain.shared.secret import Secret
from domain.sync.errors import SourceUnavailable
from entrypoints.sandbox import listening_socket, sandbox_server
from tests.factories.sandbox import access_token, config, connect

pytestmark = pytest.mark.integration

DEADLINE = 0.5
USERS = "/zendesk/api/v2/users.json"


class Granted:
    def __init__(self, token: str, base: str) -> None:
        self.grant = AccessGrant(
            connection_id=uuid4(), provider="zendesk",
            access_token=Secret(token), api_base=base,
            expires_at=datetime.now(UTC) + timedelta(hours=1),
        )  # fmt: skip

    async def token(self, rejected: Secret[str] | None = None) -> AccessGrant:
        return self.grant


async def _served(sandbox: Sandbox) -> AsyncIterator[str]:
    sock = listening_socket("127.0.0.1", 0)
    server = sandbox_server(create_sandbox_app(sandbox), log_level="warning")
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task


async def test_an_api_answer_dripping_forever_is_retried_then_given_back_as_unavailable() -> None:
    sandbox = Sandbox(config(), SystemClock())
    waits: list[float] = []

    async def no_wait(seconds: float) -> None:
        waits.append(seconds)

    async for base in _served(sandbox):
        seeding = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_sandbox_app(sandbox)), base_url=base
        )
        async with seeding:
            token = access_token("zendesk", await connect(seeding, "zendesk"))
        sandbox.faults.add(FaultRule(provider="zendesk", path="/api/v2/users.json",
                                     fault=Drip(interval=0.05), times=None))  # fmt: skip
        async for http in open_http_client(timeout_seconds=60.0):  # per phase: never fires
            api = ProviderApi(http, Granted(token, base), SystemClock(),
                              deadline_seconds=DEADLINE, sleep=no_wait)  # fmt: skip
            async with asyncio.timeout(20 * MAX_ATTEMPTS * DEADLINE):  # "does not hang"
                with pytest.raises(SourceUnavailable) as unavailable:
                    await api.get(base + USERS)

    # Each attempt ended at the deadline as a retryable timeout; the sync's own backoff ran
    # between them, and the last gave the job back to be retried later.
    assert unavailable.value.reason == "timeout"
    assert sandbox.stats.get("zendesk", "fault:Drip") == MAX_ATTEMPTS
    assert len(waits) == MAX_ATTEMPTS - 1
