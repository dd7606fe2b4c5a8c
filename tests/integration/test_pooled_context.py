"""A pooled connection never carries one tenant's context into the next unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.engine import create_engine, session_factory
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.throwaway import ThrowawayDatabase
from domain.identity.errors import MembershipExists
from domain.identity.model import Role
from tests.factories.identity import create_membership
from tests.factories.tenancy import seed_tenant

pytestmark = pytest.mark.integration

_STATE = text(
    "SELECT pg_backend_pid(), current_setting('app.tenant_id', true), "
    "current_setting('app.user_id', true)"
)


@pytest.fixture
async def single_connection_engine(database: ThrowawayDatabase) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database.app, pool_size=1, max_overflow=0)
    try:
        yield engine
    finally:
        await engine.dispose()


class Boom(Exception):
    pass


async def test_the_next_unit_of_work_sees_nothing_of_the_previous_tenant(
    single_connection_engine: AsyncEngine,
) -> None:
    uow_for = partial(PostgresIdentityUnitOfWork, session_factory(single_connection_engine))
    a = await seed_tenant(uow_for, members=2)
    b = await seed_tenant(uow_for, members=0)

    # A's units of work fail midway: once in our code, once in the database.
    with pytest.raises(Boom):
        async with uow_for(a.owner_scope) as uow:
            await uow.memberships.save(create_membership(a.tenant.id, a.people[1].id, Role.ADMIN))
            raise Boom
    with pytest.raises(MembershipExists):
        async with uow_for(a.owner_scope) as uow:
            await uow.memberships.add(create_membership(a.tenant.id, a.people[1].id))
    async with single_connection_engine.connect() as conn:
        pid, tenant_setting, user_setting = (await conn.execute(_STATE)).one()
    async with uow_for(b.owner_scope) as uow:
        b_pid = (await uow.session.execute(_STATE)).one()[0]
        sees_a = await uow.tenants.get(a.tenant.id)
        members = await uow.memberships.all()
        a_member = await uow.memberships.get(a.people[1].id)
        a_user = await uow.users.get(a.people[0].id)
    async with uow_for(a.owner_scope) as uow:
        role_after_failure = (await uow.memberships.get(a.people[1].id)).role  # type: ignore[union-attr]

    assert b_pid == pid  # the very same pooled connection served A and then B
    assert tenant_setting in (None, "")
    assert user_setting in (None, "")
    assert (sees_a, a_member, a_user) == (None, None, None)
    assert [m.user_id for m in members] == [b.people[0].id]
    assert role_after_failure is Role.MEMBER  # the failed unit of work left nothing behind


async def test_after_commit_the_next_transaction_is_scoped_again(
    single_connection_engine: AsyncEngine,
) -> None:
    uow_for = partial(PostgresIdentityUnitOfWork, session_factory(single_connection_engine))
    a = await seed_tenant(uow_for, members=1)

    async with uow_for(a.owner_scope) as uow:
        await uow.memberships.all()
        await uow.commit()
        # A new transaction starts here; the session re-binds the scope before it runs.
        after_commit = await uow.memberships.all()

    assert {m.user_id for m in after_commit} == {p.id for p in a.people}
