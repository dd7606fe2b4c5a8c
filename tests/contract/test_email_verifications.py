"""Email verification links behave alike on the fake and on PostgreSQL, row security included:
one pending link per user, single use, expiry, and only the user's own scope reaches them."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import partial

import pytest

from adapters.fakes.identity import FakeIdentityUnitOfWork
from adapters.fakes.store import InMemoryStore
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from application.identity.ports import IdentityUnitOfWork
from application.shared.scope import Scope
from domain.identity.email_verification import EmailVerification
from domain.identity.model import User
from domain.shared.errors import ScopeViolation
from tests.factories.bypass import POSTGRES_VARIANTS
from tests.factories.identity import WHEN, seed_tenant_with_owner

UowFor = Callable[[Scope], IdentityUnitOfWork]
LATER = WHEN + timedelta(hours=1)


@pytest.fixture(params=POSTGRES_VARIANTS)
def uow_for(request: pytest.FixtureRequest) -> UowFor:
    if request.param == "fake":
        return partial(FakeIdentityUnitOfWork, InMemoryStore())
    if request.param == "bypass":
        return partial(PostgresIdentityUnitOfWork, request.getfixturevalue("bypass").sessions)
    return request.getfixturevalue("postgres_identity_uow")  # type: ignore[no-any-return]


def _link(user: User) -> EmailVerification:
    digest = hashlib.sha256(secrets.token_bytes(32)).digest()
    return EmailVerification(
        user_id=user.id, digest=digest, created_at=WHEN, expires_at=WHEN + timedelta(hours=24)
    )


async def _pending(uow_for: UowFor, scope: Scope, link: EmailVerification) -> None:
    async with uow_for(scope) as uow:
        await uow.email_verifications.replace(link)
        await uow.commit()


async def _consume(uow_for: UowFor, scope: Scope, user: User, digest: bytes, at: object) -> bool:
    async with uow_for(scope) as uow:
        used = await uow.email_verifications.consume(user.id, digest, at)  # type: ignore[arg-type]
        await uow.commit()
    return used


async def _verified_at(uow_for: UowFor, scope: Scope, user: User) -> object:
    async with uow_for(scope) as uow:
        found = await uow.users.get(user.id)
    assert found is not None
    return found.email_verified_at


async def _unverified(uow_for: UowFor) -> tuple[Scope, User]:
    tenant, (owner,) = await seed_tenant_with_owner(uow_for, verified=False)
    return Scope(tenant_id=tenant.id, user_id=owner.id), owner


async def test_a_link_verifies_once(uow_for: UowFor) -> None:
    scope, user = await _unverified(uow_for)
    link = _link(user)
    await _pending(uow_for, scope, link)

    first = await _consume(uow_for, scope, user, link.digest, LATER)
    second = await _consume(uow_for, scope, user, link.digest, LATER)

    assert (first, second) == (True, False)
    assert await _verified_at(uow_for, scope, user) == LATER


async def test_a_wrong_expired_or_replaced_link_verifies_nothing(uow_for: UowFor) -> None:
    scope, user = await _unverified(uow_for)
    old, new = _link(user), _link(user)
    await _pending(uow_for, scope, old)
    await _pending(uow_for, scope, new)  # the user's only link now

    wrong = await _consume(uow_for, scope, user, b"\x00" * 32, LATER)
    replaced = await _consume(uow_for, scope, user, old.digest, LATER)
    expired = await _consume(uow_for, scope, user, new.digest, new.expires_at)

    assert (wrong, replaced, expired) == (False, False, False)
    assert await _verified_at(uow_for, scope, user) is None
    assert await _consume(uow_for, scope, user, new.digest, LATER) is True


async def test_only_the_users_own_scope_reaches_their_link(uow_for: UowFor) -> None:
    scope, user = await _unverified(uow_for)
    colleague_scope = Scope(tenant_id=scope.tenant_id, user_id=(await _unverified(uow_for))[1].id)
    link = _link(user)
    await _pending(uow_for, scope, link)

    async with uow_for(colleague_scope) as uow:
        with pytest.raises(ScopeViolation):
            await uow.email_verifications.replace(_link(user))
    from_elsewhere = await _consume(uow_for, colleague_scope, user, link.digest, LATER)

    assert from_elsewhere is False
    assert await _verified_at(uow_for, scope, user) is None
    assert await _consume(uow_for, scope, user, link.digest, LATER) is True


async def test_another_proof_keeps_the_first_time_and_ends_the_link(uow_for: UowFor) -> None:
    scope, user = await _unverified(uow_for)
    link = _link(user)
    await _pending(uow_for, scope, link)

    for at in (LATER, LATER + timedelta(days=1)):
        async with uow_for(scope) as uow:
            await uow.email_verifications.mark_verified(user.id, at)
            await uow.commit()

    assert await _verified_at(uow_for, scope, user) == LATER
    assert await _consume(uow_for, scope, user, link.digest, LATER) is False
