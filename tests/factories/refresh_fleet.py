"""Connections about to expire, real grants at a sandbox, and processes refreshing them.

Shared by the two-process test and ``bench connections``: ``seed_fleet`` stores connections
whose tokens were really issued by a sandbox (the code flow driven in-process) but expire in a
minute here; ``connection_tokens`` wires the real token manager on PostgreSQL against a sandbox
served on a port; ``refresh_all`` asks for every connection's token concurrently.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from uuid import UUID

import httpx
import msgspec
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.clock import SystemClock
from adapters.connectors.notices import LoggedReauthNotices
from adapters.connectors.oauth_client import HttpProviderClient, open_http_client
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.integrations import PostgresIntegrationsUnitOfWork
from adapters.sandbox.config import Provider
from application.integrations.connection_tokens import ConnectionTokens, RefreshPolicy
from application.integrations.directory import ProviderDirectory
from application.shared.scope import Scope
from application.vault.oauth_tokens import seal_tokens
from application.vault.ports import Vault
from domain.integrations.providers import CATALOG
from domain.shared.secret import Secret
from domain.vault.oauth import OAuthTokens
from entrypoints.settings_integrations import development_clients
from tests.factories import sandbox as sandbox_flow
from tests.factories.identity import seed_tenant_with_owner
from tests.factories.integrations import create_connection


class Job(msgspec.Struct, frozen=True):
    tenant_id: UUID
    user_id: UUID
    connection_id: UUID
    provider: str

    @property
    def scope(self) -> Scope:
        return Scope(tenant_id=self.tenant_id, user_id=self.user_id)  # type: ignore[arg-type]


class Report(msgspec.Struct, frozen=True, kw_only=True):
    granted: int
    errors: dict[str, int]
    tokens: dict[str, list[str]]  # connection id -> distinct token fingerprints seen
    seconds: float


async def _grant(client: httpx.AsyncClient, provider: Provider) -> tuple[str, str]:
    tokens = await sandbox_flow.connect(client, provider)
    return sandbox_flow.access_token(provider, tokens), sandbox_flow.refresh_token(provider, tokens)


async def seed_fleet(
    sessions: async_sessionmaker[AsyncSession],
    vault: Vault,
    sandbox: httpx.AsyncClient,
    *,
    providers: list[Provider],
    users: int,
    per_user: int,
    expires_in: timedelta = timedelta(minutes=1),
) -> list[Job]:
    """``users`` people of one tenant, each with ``per_user`` connections cycling providers."""
    identity = partial(PostgresIdentityUnitOfWork, sessions)
    tenant, people = await seed_tenant_with_owner(identity, members=users - 1)
    now, jobs = datetime.now(UTC), []
    for person in people:
        scope = Scope(tenant_id=tenant.id, user_id=person.id)
        chosen = [providers[(len(jobs) + n) % len(providers)] for n in range(per_user)]
        grants = await asyncio.gather(*(_grant(sandbox, p) for p in chosen))
        async with PostgresIntegrationsUnitOfWork(sessions, scope) as uow:
            for provider, (access, refresh) in zip(chosen, grants, strict=True):
                connection = create_connection(scope, provider=provider, at=now)
                tokens = OAuthTokens(access_token=Secret(access), refresh_token=Secret(refresh),
                                     expires_at=now + expires_in)  # fmt: skip
                await uow.connections.save(connection)
                await uow.oauth_tokens.put(
                    await seal_tokens(vault, scope, connection.id, tokens, now)
                )
                jobs.append(Job(tenant.id, person.id, connection.id, provider))
            await uow.commit()
    return jobs


@asynccontextmanager
async def connection_tokens(
    sessions: async_sessionmaker[AsyncSession], vault: Vault, sandbox_base: str
) -> AsyncIterator[ConnectionTokens]:
    """The real token manager on PostgreSQL, calling a sandbox served at ``sandbox_base``."""
    directory = ProviderDirectory(
        CATALOG,
        clients=development_clients(),
        callback_template="https://127.0.0.1:8443/api/v1/oauth/callback/{platform}",
        sandbox_base=sandbox_base,
    )
    async for http in open_http_client(timeout_seconds=10.0):
        yield ConnectionTokens(
            uow_for=partial(PostgresIntegrationsUnitOfWork, sessions),
            vault=vault,
            providers=directory,
            client=HttpProviderClient(http, SystemClock()),
            notices=LoggedReauthNotices(),
            clock=SystemClock(),
            policy=RefreshPolicy(lock_timeout_seconds=30.0),
        )


async def refresh_all(
    manager: ConnectionTokens, jobs: list[Job], *, calls_per_job: int, concurrency: int
) -> Report:
    """Every job's token, ``calls_per_job`` times each, at most ``concurrency`` at once."""
    gate, errors = asyncio.Semaphore(concurrency), Counter[str]()
    seen: dict[str, set[str]] = {str(j.connection_id): set() for j in jobs}

    async def one(job: Job) -> None:
        async with gate:
            try:
                grant = await manager.access_token(job.scope, job.connection_id)
            except Exception as error:
                errors[type(error).__name__] += 1
                return
        fingerprint = grant.access_token.reveal()[-12:]
        seen[str(job.connection_id)].add(fingerprint)

    started = time.perf_counter()
    await asyncio.gather(*(one(job) for job in jobs for _ in range(calls_per_job)))
    return Report(
        granted=sum(len(v) > 0 for v in seen.values()),
        errors=dict(errors),
        tokens={k: sorted(v) for k, v in seen.items()},
        seconds=time.perf_counter() - started,
    )


def jobs_json(jobs: list[Job]) -> bytes:
    return msgspec.json.encode(jobs)


def jobs_from(raw: bytes) -> list[Job]:
    return msgspec.json.decode(raw, type=list[Job])
