"""API processes of their own (``atlas serve``) on one database, and a feed client that speaks
the protocol over a real WebSocket: for the tests only real processes can prove (an event
crossing processes, a database restart, a listener killed, WSS, the server's frame limits)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import jwt
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from adapters.postgres.feed_listener import LISTENER_NAME
from adapters.postgres.url import DatabaseUrl
from application.shared.scope import Scope
from domain.shared.ids import TenantId, UserId
from tests.factories.api_process import ServedApi
from tests.factories.sync_fleet import atlas_env

PASSWORD = "correct horse battery staple"


async def kill_feed_listeners(superuser: DatabaseUrl, database: str | None = None) -> int:
    """Terminate the feeds' LISTEN connections (of ``database``, or all): how many went."""
    admin = await asyncpg.connect(**superuser.asyncpg_kwargs())
    try:
        killed: int = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = $1 AND ($2::text IS NULL OR datname = $2)",
            LISTENER_NAME,
            database,
        )
    finally:
        await admin.close()
    return killed


@asynccontextmanager
async def two_api_processes(
    data_dir: Path, database_url: str, log_dir: Path, **settings: str
) -> AsyncIterator[tuple[ServedApi, ServedApi]]:
    """Two API processes on one database: ``first`` over TLS (WSS), ``second`` plain."""
    env = atlas_env(data_dir, ATLAS_DATABASE_URL=database_url, ATLAS_SANDBOX="false",
                    ATLAS_PASSWORD_HASH_CONCURRENCY="2", **settings)  # fmt: skip
    # One after the other: the first creates the development keys and secrets both use.
    first = ServedApi(env, log_dir / "api-1.log", tls=True)
    try:
        await first.ready()
        second = ServedApi(env, log_dir / "api-2.log")
        try:
            await second.ready()
            yield first, second
        finally:
            second.stop()
    finally:
        first.stop()


async def sign_up(api: ServedApi, email: str) -> dict[str, Any]:
    async with api.client() as client:
        answer = await client.post("/api/v1/auth/signup", json={
            "email": email, "password": PASSWORD, "name": "Ada", "organisation": "Acme",
        })  # fmt: skip
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def log_in(api: ServedApi, email: str) -> dict[str, Any]:
    async with api.client() as client:
        answer = await client.post(
            "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def claims_of(tokens: dict[str, Any]) -> dict[str, Any]:
    """The access token's claims, read without checking (the server checks)."""
    return jwt.decode(tokens["access_token"], options={"verify_signature": False})  # type: ignore[no-any-return]


def scope_of(tokens: dict[str, Any]) -> Scope:
    claims = claims_of(tokens)
    return Scope(tenant_id=TenantId(UUID(claims["tid"])), user_id=UserId(UUID(claims["sub"])))


@dataclass
class FeedClient:
    """A subscriber: authenticates first, keeps what it received, resumes with ``after``."""

    api: ServedApi
    token: str
    origin: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    closes: list[int | None] = field(default_factory=list)
    socket: ClientConnection | None = None

    @property
    def last(self) -> int | None:
        return self.events[-1]["seq"] if self.events else None

    async def open(self, after: int | None = None, **options: Any) -> dict[str, Any]:
        self.socket = await connect(
            self.api.feed_url, ssl=self.api.ssl, origin=self.origin,  # type: ignore[arg-type]
            ping_interval=None, open_timeout=30, **options,
        )  # fmt: skip
        await self.socket.send(
            json.dumps({"type": "auth", "access_token": self.token, "after": after})
        )
        ready = json.loads(await asyncio.wait_for(self.socket.recv(), 30))
        assert ready["type"] == "ready", ready
        return ready  # type: ignore[no-any-return]

    async def receive(self, within: float = 30) -> dict[str, Any]:
        assert self.socket is not None
        message = json.loads(await asyncio.wait_for(self.socket.recv(), within))
        self.messages.append(message)
        if message["type"] == "event":
            self.events.append(message)
        return message  # type: ignore[no-any-return]

    async def collect_until(self, seq: int, *, resume: bool = True, within: float = 60) -> None:
        """Receive until ``seq`` arrived; a dropped socket is reopened with ``after``."""
        deadline = time.monotonic() + within
        while self.last is None or self.last < seq:
            assert time.monotonic() < deadline, f"stuck at {self.last}, waiting for {seq}"
            try:
                await self.receive(within=max(0.1, deadline - time.monotonic()))
            except ConnectionClosed as closed:
                self.closes.append(closed.rcvd.code if closed.rcvd else None)
                if not resume:
                    raise
                await asyncio.sleep(0.2)
                with contextlib.suppress(OSError, ConnectionClosed, TimeoutError):
                    await self.open(after=self.last)

    async def closed_with(self, within: float = 30) -> int | None:
        """Read on until the server closes the socket: its close code."""
        assert self.socket is not None
        try:
            while True:
                await self.receive(within=within)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
