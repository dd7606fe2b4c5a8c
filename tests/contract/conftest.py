"""The 'bypass' variant of the PostgreSQL contracts: row security off, every tenant twinned.

See tests/factories/bypass.py. A contract fixture's 'bypass' parameter runs the very same test
on ``bypass_sessions``; its teardown fails the test if any statement wrote into, or deleted
from, a twin, and the test's own assertions fail if a read answered with a twin's rows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.postgres.throwaway import ThrowawayDatabase
from tests.factories.bypass import (
    BypassDatabase,
    accept_twins_as_they_are,
    bypass_copy,
    twins_touched,
)


@pytest.fixture(scope="session")
async def bypass_database(
    database: ThrowawayDatabase, migrated_template: str
) -> AsyncIterator[BypassDatabase]:
    async with bypass_copy(database, migrated_template) as db:
        yield db


async def _checked(db: BypassDatabase) -> AsyncIterator[BypassDatabase]:
    yield db
    touched = await twins_touched(db)
    if touched:
        await accept_twins_as_they_are(db)  # one test's leak is reported by that test only
    assert not touched, f"statements reached another tenant's rows: {touched}"


@pytest.fixture
async def bypass(bypass_database: BypassDatabase) -> AsyncIterator[BypassDatabase]:
    """The shared bypass database, checked after the test."""
    async for db in _checked(bypass_database):
        yield db


@pytest.fixture
async def fresh_bypass(
    database: ThrowawayDatabase, migrated_template: str
) -> AsyncIterator[BypassDatabase]:
    """A bypass database of the test's own, for the vault's key versions, checked.

    Sealed values are not twinned here: which versions are in use, and whether one may
    retire, are deployment-wide questions by design, and a twin's copy (bound to the original
    tenant) could never be re-sealed. test_vault_repositories runs the vault's repositories
    with twins.
    """
    untwinned = ("api_keys", "oauth_tokens")
    async with bypass_copy(database, migrated_template, untwinned=untwinned) as db:
        async for checked in _checked(db):
            yield checked
