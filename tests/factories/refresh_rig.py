"""Token refresh against a misbehaving provider: the real adapters on PostgreSQL, the production
database pool, and the sandbox on a real port (so a drip is real bytes on a real socket).

``refresh_rig`` seeds connections holding real sandbox grants whose tokens expire in a minute,
and wires ``ConnectionTokens`` and ``DisconnectConnection`` as the app does, with a small
provider deadline; ``PgWatch`` reads what PostgreSQL itself says about deadlocks and about
connections held in a transaction.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from functools import partial
from typing import Any

import asyncpg
import httpx

from adapters.clock import SystemClock
from adapters.connectors.notices import LoggedReauthNotices
from adapters.connectors.oauth_client import HttpProviderClient, open_http_client
from adapters.postgres.engine import open_engine, session_factory
from adapters.postgres.graph_purge import PostgresGraphPurgeUnitOfWork
from adapters.postgres.integrations import PostgresIntegrationsUnitOfWork
from adapters.postgres.throwaway import ThrowawayDatabase
from adapters.postgres.url import DatabaseUrl
from adapters.postgres.vault_keys import PostgresKeyVersions
from adapters.sandbox.app import create_sandbox_app
from adapters.sandbox.config import Provider
from adapters.sandbox.control_key import control_headers
from adapters.sandbox.sandbox import Sandbox
from application.graph.purge_scope import PurgeSourceScope
from application.integrations.connection_tokens import ConnectionTokens, RefreshPolicy
from application.integrations.directory import ProviderDirectory
from application.integrations.disconnect import DisconnectConnection
from application.vault.ports import Vault
from domain.integrations.providers import CATALOG
from entrypoints.sandbox import listening_socket, sandbox_server
from entrypoints.settings_integrations import development_clients
from tests.conftest import FreshDatabase
from tests.factories.refresh_fleet import Job, seed_fleet
from tests.factories.sandbox import config
from tests.factories.vault import keyring_on, started_vault

# httpx's own per-phase timeouts, far above the deadline: only the deadline may end a drip.
PHASE_TIMEOUT_SECONDS = 60.0


@dataclass
class Rig:
    sandbox: Sandbox
    base: str
    jobs: list[Job]
    tokens: ConnectionTokens
    disconnect: DisconnectConnection
    policy: RefreshPolicy
    vault: Vault
    pool_capacity: int  # the production pool: pool_size + max_overflow, as open_engine builds it
    uow_for: Any

    async def fault(self, rule: dict[str, Any]) -> None:
        key = self.sandbox.config.control_key
        assert key is not None, "the rig's sandbox has a control key (tests/factories/sandbox.py)"
        async with httpx.AsyncClient(base_url=self.base, headers=control_headers(key)) as control:
            answer = await control.post("/_control/faults", json=rule)
            answer.raise_for_status()


@asynccontextmanager
async def _served(sandbox: Sandbox) -> AsyncIterator[str]:
    sock: socket.socket = listening_socket("127.0.0.1", 0)
    server = sandbox_server(create_sandbox_app(sandbox), log_level="warning")
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True  # never cancel: the listener must leave the loop cleanly
        await task


@asynccontextmanager
async def refresh_rig(
    db: FreshDatabase,
    *,
    providers: list[Provider],
    connections: int,
    deadline_seconds: float,
    lock_timeout_seconds: float,
) -> AsyncIterator[Rig]:
    sandbox = Sandbox(config(), SystemClock())
    engines = open_engine(db.app)  # the production pool, exactly as the container opens it
    engine = await anext(engines)
    try:
        sessions = session_factory(engine)
        vault = await started_vault(keyring_on(PostgresKeyVersions(sessions)))
        async with _served(sandbox) as base:
            seeding = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=create_sandbox_app(sandbox)), base_url=base
            )
            async with seeding:
                jobs = await seed_fleet(
                    sessions, vault, seeding, providers=providers, users=1, per_user=connections
                )
            directory = ProviderDirectory(
                CATALOG,
                clients=development_clients(),
                callback_template="https://127.0.0.1:8443/api/v1/oauth/callback/{platform}",
                sandbox_base=base,
            )
            uow_for = partial(PostgresIntegrationsUnitOfWork, sessions)
            policy = RefreshPolicy(lock_timeout_seconds=lock_timeout_seconds)
            async for http in open_http_client(timeout_seconds=PHASE_TIMEOUT_SECONDS):
                client = HttpProviderClient(http, SystemClock(), deadline_seconds=deadline_seconds)
                yield Rig(
                    sandbox=sandbox,
                    base=base,
                    jobs=jobs,
                    tokens=ConnectionTokens(
                        uow_for=uow_for, vault=vault, providers=directory, client=client,
                        notices=LoggedReauthNotices(), clock=SystemClock(), policy=policy,
                    ),
                    disconnect=DisconnectConnection(
                        uow_for=uow_for, providers=directory, client=client, vault=vault,
                        purge=PurgeSourceScope(partial(PostgresGraphPurgeUnitOfWork, sessions)),
                        clock=SystemClock(), lock_timeout_seconds=lock_timeout_seconds,
                    ),
                    policy=policy,
                    vault=vault,
                    pool_capacity=engine.pool.size() + engine.pool._max_overflow,  # type: ignore[attr-defined]
                    uow_for=uow_for,
                )  # fmt: skip
    finally:
        await engines.aclose()


class PgWatch:
    """PostgreSQL's own account, through a connection outside the app's pool."""

    def __init__(self, database: ThrowawayDatabase, superuser: DatabaseUrl) -> None:
        self._log = database.cluster.log_file
        self._superuser = superuser
        self._log_from = self._log.stat().st_size if self._log.exists() else 0

    async def deadlocks(self) -> int:
        conn = await asyncpg.connect(**self._superuser.asyncpg_kwargs())
        try:
            return int(
                await conn.fetchval(
                    "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
                )
            )
        finally:
            await conn.close()

    def logged_deadlocks(self) -> list[str]:
        with self._log.open("rb") as log:
            log.seek(self._log_from)
            text = log.read().decode(errors="replace")
        return [line for line in text.splitlines() if "deadlock detected" in line]

    @asynccontextmanager
    async def pinned(self) -> AsyncIterator[list[int]]:
        """Samples, every 50 ms, of the app's connections in a transaction that locked or wrote
        something (it has a transaction id; a read never gets one): a refresh holding its row
        lock across the provider call is one, the brief reads before it are not."""
        samples: list[int] = []
        conn = await asyncpg.connect(**self._superuser.asyncpg_kwargs())
        query = (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND usename = 'atlas_app' AND backend_xid IS NOT NULL"
        )

        async def sample() -> None:
            while True:
                samples.append(int(await conn.fetchval(query)))
                await asyncio.sleep(0.05)

        task = asyncio.create_task(sample())
        try:
            yield samples
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            await conn.close()
