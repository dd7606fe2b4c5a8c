"""A team on the real stack: the app on PostgreSQL with its worker and the sandbox mounted,
and an outbox where invitations arrive, so several people can join one tenant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from adapters.fakes.email import FakeEmailSender
from entrypoints.container import real_container
from entrypoints.database import DatabaseEndpoints
from entrypoints.http.app import create_app
from entrypoints.settings import load_settings
from tests.conftest import FreshDatabase
from tests.e2e.connect_flow import BASE
from tests.e2e.sync_flow import Client


@asynccontextmanager
async def team_stack(
    fresh_database: FreshDatabase, tmp_path: Path
) -> AsyncIterator[tuple[Client, FakeEmailSender]]:
    settings = load_settings({"ATLAS_PASSWORD_HASH_CONCURRENCY": "2"}, cwd=tmp_path)
    container = real_container(settings, DatabaseEndpoints(app=fresh_database.app, owner=None))
    outbox = FakeEmailSender()
    container.adapters.email.override(providers.Object(outbox))
    async with AsyncTestClient(create_app(container, with_worker=True), base_url=BASE) as client:
        yield client, outbox


@pytest.fixture
async def team(
    fresh_database: FreshDatabase, tmp_path: Path
) -> AsyncIterator[tuple[Client, FakeEmailSender]]:
    """The team stack as a fixture: import it into the test module to use it."""
    async with team_stack(fresh_database, tmp_path) as stack:
        yield stack
