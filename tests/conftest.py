"""Shared fixtures: one throwaway PostgreSQL per test session, engines as the app role."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from uuid import uuid4

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters.postgres.engine import create_engine, session_factory
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.migrate import upgrade
from adapters.postgres.provision import provision
from adapters.postgres.roles import APP_ROLE
from adapters.postgres.throwaway import ThrowawayDatabase, start_throwaway_database
from adapters.postgres.url import DatabaseUrl
from application.identity.ports import IdentityUnitOfWork
from application.shared.scope import Scope
from domain.shared.secret import Secret

NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="session")
async def database() -> AsyncIterator[ThrowawayDatabase]:
    db = await start_throwaway_database()
    try:
        yield db
    finally:
        db.cluster.destroy()


@pytest.fixture(scope="session")
async def engine(database: ThrowawayDatabase) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database.app, pool_size=5, max_overflow=5)
    await _refuse_privileged_role(database)
    try:
        yield engine
    finally:
        await engine.dispose()


async def _refuse_privileged_role(database: ThrowawayDatabase) -> None:
    # A test that runs as a superuser or an owner proves nothing about row security (R4.7).
    conn = await asyncpg.connect(**database.app.asyncpg_kwargs())
    try:
        row = await conn.fetchrow(
            "SELECT current_user AS name, rolsuper, rolbypassrls FROM pg_roles "
            "WHERE rolname = current_user"
        )
    finally:
        await conn.close()
    if row["name"] != APP_ROLE or row["rolsuper"] or row["rolbypassrls"]:
        pytest.exit(f"tests must connect as an unprivileged {APP_ROLE}, not {row['name']}")


@pytest.fixture(scope="session")
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


@pytest.fixture
def postgres_identity_uow(
    sessions: async_sessionmaker[AsyncSession],
) -> Callable[[Scope], IdentityUnitOfWork]:
    return partial(PostgresIdentityUnitOfWork, sessions)


# --- graph -----------------------------------------------------------------------------------
@pytest.fixture
def postgres_graph_uow(sessions: async_sessionmaker[AsyncSession]) -> Callable[[Scope], object]:
    from adapters.postgres.graph_uow import PostgresGraphUnitOfWork

    return partial(PostgresGraphUnitOfWork, sessions)


# ---------------------------------------------------------------------------------------------
@pytest.fixture
async def app_connection(database: ThrowawayDatabase) -> AsyncIterator[asyncpg.Connection]:
    """A raw connection as atlas_app, for probing the catalog and the policies directly."""
    conn = await asyncpg.connect(**database.app.asyncpg_kwargs())
    try:
        yield conn
    finally:
        await conn.close()


@pytest.fixture
async def owner_connection(database: ThrowawayDatabase) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(**database.owner.asyncpg_kwargs())
    try:
        yield conn
    finally:
        await conn.close()


# -- vault: key versions are global to a database, so tests that rotate or retire them get a
# database of their own, copied from a migrated template (a copy takes a fraction of a second).


@dataclass(frozen=True)
class FreshDatabase:
    app: DatabaseUrl
    owner: DatabaseUrl
    superuser: DatabaseUrl
    sessions: async_sessionmaker[AsyncSession]
    backup: DatabaseUrl


async def _provision_copy(database: ThrowawayDatabase, name: str) -> None:
    await provision(
        database.superuser,
        owner_password=Secret(database.owner.password or ""),
        app_password=Secret(database.app.password or ""),
        backup_password=Secret(database.backup.password or ""),
        database=name,
    )


@pytest.fixture(scope="session")
async def migrated_template(database: ThrowawayDatabase) -> str:
    name = "atlas_template"
    await _provision_copy(database, name)
    await upgrade(database.owner.with_database(name))
    return name


@asynccontextmanager
async def fresh_copy(database: ThrowawayDatabase, template: str) -> AsyncIterator[FreshDatabase]:
    """A database of its own, copied from the migrated template, dropped afterwards."""
    name = f"atlas_{uuid4().hex[:12]}"
    admin = await asyncpg.connect(**database.superuser.asyncpg_kwargs())
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await admin.close()
    await _provision_copy(database, name)
    engine = create_engine(database.app.with_database(name), pool_size=3, max_overflow=3)
    try:
        yield FreshDatabase(
            app=database.app.with_database(name),
            owner=database.owner.with_database(name),
            superuser=database.superuser.with_database(name),
            sessions=session_factory(engine),
            backup=database.backup.with_database(name),
        )
    finally:
        await engine.dispose()
        admin = await asyncpg.connect(**database.superuser.asyncpg_kwargs())
        try:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
async def fresh_database(
    database: ThrowawayDatabase, migrated_template: str
) -> AsyncIterator[FreshDatabase]:
    async with fresh_copy(database, migrated_template) as fresh:
        yield fresh
