"""Sign-up and sign-in on the fakes: one answer for every failure, limits, rehash on login."""

from __future__ import annotations

from pathlib import Path

import pytest

from application.identity.sessions import Client, TokenPair
from domain.identity.errors import (
    EmailTaken,
    InvalidCredentials,
    NoMembership,
    PasswordTooLong,
    TenantNotFound,
    TooManyAttempts,
)
from domain.identity.model import Role
from tests.factories.sessions import PASSWORD, World, identity_world


@pytest.fixture
def world(tmp_path: Path) -> World:
    return identity_world(tmp_path)


async def test_sign_up_creates_an_owner_in_a_new_tenant_and_signs_in(world: World) -> None:
    pair = await world.sign_up(email="  Ada@Example.COM ")

    profile = await world.identity.show_profile().execute(pair.actor)
    stored = await _stored_hash(world, pair)

    assert pair.actor.role is Role.OWNER
    assert profile.email == "ada@example.com"
    assert profile.tenant.name == "Acme"
    assert [t.tenant_id for t in profile.tenants] == [pair.actor.tenant_id]
    assert world.hasher.hashes == 1
    assert stored == f"fake$bcrypt$12${PASSWORD}"


async def test_signing_up_twice_is_a_conflict_and_the_owner_is_told(world: World) -> None:
    await world.sign_up(email="ada@example.com")

    with pytest.raises(EmailTaken):
        await world.sign_up(email="ADA@example.com", organisation="Impostor Ltd")

    assert [(m.to, m.kind) for m in world.email.sent] == [
        ("ada@example.com", "email_verification"),  # the first sign-up's link
        ("ada@example.com", "signup_notice"),
    ]
    assert "ADA" not in world.email.sent[1].text


async def test_a_password_over_72_bytes_is_refused_at_sign_up(world: World) -> None:
    with pytest.raises(PasswordTooLong):
        await world.sign_up(password="é" * 37)
    assert world.hasher.hashes == 0


async def test_every_failed_sign_in_costs_one_check_and_raises_the_same_error(
    world: World,
) -> None:
    await world.sign_up(email="ada@example.com")
    attempts = {
        "unknown": ("nobody@example.com", PASSWORD),
        "wrong password": ("ada@example.com", "not the password"),
        "over 72 bytes": ("ada@example.com", "a" * 73),
        "not an email": ("ada", PASSWORD),
        "empty": ("ada@example.com", ""),
    }
    errors = {}

    for name, (email, password) in attempts.items():
        before = len(world.hasher.verifications)
        with pytest.raises(InvalidCredentials) as failed:
            await world.log_in(email, password, client=Client(address=name))
        errors[name] = (len(world.hasher.verifications) - before, failed.value.code)

    assert set(errors.values()) == {(1, "auth.invalid_credentials")}
    assert world.hasher.verifications[-5] == "fake$dummy"  # the unknown account's check


async def test_one_address_spraying_many_accounts_is_limited(world: World) -> None:
    sprayer = Client(address="198.51.100.1")
    for n in range(20):
        with pytest.raises(InvalidCredentials):
            await world.log_in(f"victim{n}@example.com", PASSWORD, client=sprayer)

    with pytest.raises(TooManyAttempts):
        await world.log_in("victim-21@example.com", PASSWORD, client=sprayer)


async def test_sign_in_rehashes_when_the_configuration_changed(world: World) -> None:
    pair = await world.sign_up(email="ada@example.com")
    world.hasher.scheme = "argon2id"

    await world.log_in("ada@example.com")
    stored = await _stored_hash(world, pair)
    await world.log_in("ada@example.com")

    assert stored.startswith("fake$argon2id$")
    assert world.hasher.hashes == 2  # sign-up, then one rehash: the second login needed none


async def test_sign_in_picks_the_requested_tenant_or_refuses(world: World) -> None:
    mine = await world.sign_up(email="ada@example.com")
    theirs = await world.sign_up()

    chosen = await world.log_in("ada@example.com", tenant_id=mine.actor.tenant_id)
    with pytest.raises(TenantNotFound):
        await world.log_in("ada@example.com", tenant_id=theirs.actor.tenant_id)

    assert chosen.actor.tenant_id == mine.actor.tenant_id


async def test_an_account_removed_from_every_tenant_cannot_sign_in(world: World) -> None:
    pair = await world.sign_up(email="ada@example.com")
    async with world.uow(pair.actor.scope) as uow:
        await uow.memberships.remove(pair.actor.user_id)
        await uow.commit()

    with pytest.raises(NoMembership):
        await world.log_in("ada@example.com")


async def _stored_hash(world: World, pair: TokenPair) -> str:
    async with world.uow(pair.actor.scope) as uow:
        user = await uow.users.get(pair.actor.user_id)
    assert user is not None
    return user.password_hash.reveal()
