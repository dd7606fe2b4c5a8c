"""The identity repositories behave alike on the fake and on PostgreSQL, row security included."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial

import msgspec
import pytest

from adapters.fakes.identity import FakeIdentityUnitOfWork
from adapters.fakes.store import InMemoryStore
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from application.identity.ports import IdentityUnitOfWork
from application.shared.scope import Scope
from domain.identity.errors import EmailTaken, MembershipExists
from domain.identity.model import Role
from domain.shared.errors import ScopeViolation
from domain.shared.secret import Secret
from tests.factories.bypass import POSTGRES_VARIANTS, twins_of
from tests.factories.identity import (
    WHEN,
    create_membership,
    create_tenant,
    create_user,
    seed_tenant_with_owner,
)

UowFor = Callable[[Scope], IdentityUnitOfWork]


@pytest.fixture(params=POSTGRES_VARIANTS)
def uow_for(request: pytest.FixtureRequest) -> UowFor:
    if request.param == "fake":
        return partial(FakeIdentityUnitOfWork, InMemoryStore())
    if request.param == "bypass":
        return partial(PostgresIdentityUnitOfWork, request.getfixturevalue("bypass").sessions)
    return request.getfixturevalue("postgres_identity_uow")  # type: ignore[no-any-return]


async def test_a_tenant_is_visible_only_in_its_own_scope(uow_for: UowFor) -> None:
    tenant, (owner,) = await seed_tenant_with_owner(uow_for)
    other, _ = await seed_tenant_with_owner(uow_for)

    async with uow_for(Scope(tenant_id=tenant.id, user_id=owner.id)) as uow:
        mine = await uow.tenants.get(tenant.id)
        theirs = await uow.tenants.get(other.id)
    async with uow_for(Scope.ANONYMOUS) as uow:
        anonymous = await uow.tenants.get(tenant.id)

    assert mine == tenant
    assert theirs is None
    assert anonymous is None


async def test_writing_outside_the_scope_is_refused(uow_for: UowFor) -> None:
    tenant, (owner,) = await seed_tenant_with_owner(uow_for)
    stranger = create_tenant()

    async with uow_for(Scope(tenant_id=tenant.id, user_id=owner.id)) as uow:
        with pytest.raises(ScopeViolation):
            await uow.tenants.add(stranger)
    async with uow_for(Scope(tenant_id=tenant.id, user_id=owner.id)) as uow:
        with pytest.raises(ScopeViolation):
            await uow.memberships.add(create_membership(stranger.id, owner.id))


async def test_work_that_is_not_committed_is_rolled_back(uow_for: UowFor) -> None:
    tenant, user = create_tenant(), create_user()
    scope = Scope(tenant_id=tenant.id, user_id=user.id)

    async with uow_for(scope) as uow:
        await uow.tenants.add(tenant)
        await uow.users.add(user)
        committed = uow.committed
    async with uow_for(scope) as uow:
        found = await uow.tenants.get(tenant.id), await uow.users.get(user.id)

    assert committed is False
    assert found == (None, None)


async def test_a_user_reads_only_their_own_login_identity(uow_for: UowFor) -> None:
    tenant, (owner, colleague) = await seed_tenant_with_owner(uow_for, members=1)

    async with uow_for(Scope(tenant_id=tenant.id, user_id=owner.id)) as uow:
        me = await uow.users.get(owner.id)
        them = await uow.users.get(colleague.id)

    assert me == owner
    assert them is None


async def test_the_login_path_finds_id_and_hash_by_exact_email(uow_for: UowFor) -> None:
    _, (owner,) = await seed_tenant_with_owner(uow_for)

    async with uow_for(Scope.ANONYMOUS) as uow:
        found = await uow.users.find_login(owner.email)
        missing = await uow.users.find_login("nobody-" + owner.email)

    assert found is not None
    assert (found.user_id, found.password_hash) == (owner.id, owner.password_hash)
    assert missing is None


async def test_a_disabled_account_looks_unknown_to_the_login_path(uow_for: UowFor) -> None:
    tenant, (owner,) = await seed_tenant_with_owner(uow_for)
    async with uow_for(Scope(tenant_id=tenant.id, user_id=owner.id)) as uow:
        await uow.users.save(msgspec.structs.replace(owner, disabled_at=WHEN + timedelta(days=1)))
        await uow.commit()

    async with uow_for(Scope.ANONYMOUS) as uow:
        found = await uow.users.find_login(owner.email)

    assert found is None


async def test_saving_a_user_replaces_the_password_hash(uow_for: UowFor) -> None:
    tenant, (owner,) = await seed_tenant_with_owner(uow_for)
    rehashed = msgspec.structs.replace(owner, password_hash=Secret("$argon2id$v=19$new"))

    async with uow_for(Scope(tenant_id=tenant.id, user_id=owner.id)) as uow:
        await uow.users.save(rehashed)
        await uow.commit()
    async with uow_for(Scope.ANONYMOUS) as uow:
        found = await uow.users.find_login(owner.email)

    assert found is not None
    assert found.password_hash == Secret("$argon2id$v=19$new")


async def test_one_email_is_one_account_across_tenants(uow_for: UowFor) -> None:
    _, (owner,) = await seed_tenant_with_owner(uow_for)
    twin = create_user(email=owner.email)
    tenant = create_tenant()

    async with uow_for(Scope(tenant_id=tenant.id, user_id=twin.id)) as uow:
        await uow.tenants.add(tenant)
        with pytest.raises(EmailTaken):
            await uow.users.add(twin)


async def test_memberships_list_only_the_scope_tenant(uow_for: UowFor) -> None:
    tenant, people = await seed_tenant_with_owner(uow_for, members=2)
    await seed_tenant_with_owner(uow_for, members=1)

    async with uow_for(Scope(tenant_id=tenant.id, user_id=people[0].id)) as uow:
        listed = await uow.memberships.all()

    assert {m.user_id for m in listed} == {p.id for p in people}
    assert {m.tenant_id for m in listed} == {tenant.id}


async def test_a_membership_cannot_be_added_twice(uow_for: UowFor) -> None:
    tenant, (owner,) = await seed_tenant_with_owner(uow_for)

    async with uow_for(Scope(tenant_id=tenant.id, user_id=owner.id)) as uow:
        with pytest.raises(MembershipExists):
            await uow.memberships.add(create_membership(tenant.id, owner.id))


async def test_role_changes_and_removal_stay_within_the_tenant(uow_for: UowFor) -> None:
    tenant, (owner, member) = await seed_tenant_with_owner(uow_for, members=1)
    other, (other_owner,) = await seed_tenant_with_owner(uow_for)
    scope = Scope(tenant_id=tenant.id, user_id=owner.id)

    async with uow_for(scope) as uow:
        promoted = create_membership(tenant.id, member.id, Role.ADMIN)
        await uow.memberships.save(promoted)
        removed_foreign = await uow.memberships.remove(other_owner.id)
        await uow.commit()
    async with uow_for(scope) as uow:
        after = await uow.memberships.get(member.id)
        removed = await uow.memberships.remove(member.id)
        removed_again = await uow.memberships.remove(member.id)
        await uow.commit()
    async with uow_for(Scope(tenant_id=other.id, user_id=other_owner.id)) as uow:
        foreign = await uow.memberships.get(other_owner.id)

    assert after is not None
    assert after.role is Role.ADMIN
    assert (removed_foreign, removed, removed_again) == (False, True, False)
    assert foreign is not None


async def test_a_user_sees_all_their_tenants_before_choosing_one(uow_for: UowFor) -> None:
    first, (person,) = await seed_tenant_with_owner(uow_for)
    second = create_tenant(name="Zebra Logistics")
    async with uow_for(Scope(tenant_id=second.id, user_id=person.id)) as uow:
        await uow.tenants.add(second)
        await uow.memberships.add(create_membership(second.id, person.id, Role.ADMIN))
        await uow.commit()
    await seed_tenant_with_owner(uow_for)  # someone else's tenant

    async with uow_for(Scope(tenant_id=None, user_id=person.id)) as uow:
        mine = await uow.memberships.of_current_user()
    async with uow_for(Scope.ANONYMOUS) as uow:
        nobody = await uow.memberships.of_current_user()

    # The bypass variant's twins are real memberships of the same person (tests/factories/
    # bypass.py): this cross-tenant lookup rightly lists them, as it would any tenant of theirs.
    twins = twins_of(first.id, second.id)
    assert [(m.tenant_id, m.role) for m in mine if m.tenant_id not in twins] == [
        (first.id, Role.OWNER),
        (second.id, Role.ADMIN),
    ]
    assert nobody == []
