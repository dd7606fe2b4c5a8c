"""Email verification on the fakes: the link at sign-up, single use, expiry, forgery, resending
and its limit, and the invitation that proves an address by itself."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.fakes.store import IdentityTables
from application.identity.accept_invitation import AcceptInvitationCommand
from application.identity.email_verification import VerifyEmailCommand
from application.identity.invitations import InviteCommand
from application.identity.sessions import TokenPair
from domain.identity.errors import (
    EmailAlreadyVerified,
    EmailUnverified,
    EmailVerificationInvalid,
    TooManyAttempts,
)
from domain.identity.model import Role
from domain.shared.secret import Secret
from tests.factories.sessions import CLIENT, PASSWORD, World, identity_world


@pytest.fixture
def world(tmp_path: Path) -> World:
    return identity_world(tmp_path)


async def _verify(world: World, token: str) -> None:
    await world.identity.verify_email().execute(VerifyEmailCommand(token=Secret(token)), CLIENT)


async def _invite(world: World, by: TokenPair, email: str) -> None:
    command = InviteCommand(email=email, role=Role.MEMBER)
    await world.identity.invite_member().execute(by.actor, command)


async def _verified_at(world: World, pair: TokenPair) -> object:
    return (await world.identity.show_profile().execute(pair.actor)).email_verified_at


async def test_a_sign_up_is_unverified_and_emailed_a_link_to_the_web_app(world: World) -> None:
    pair = await world.sign_up(email="ada@example.com", verified=False)

    message = world.email.sent[-1]
    token = world.verification_token(pair.actor)
    assert (message.to, message.kind) == ("ada@example.com", "email_verification")
    # In the fragment: a browser never sends it to a server.
    assert f"https://127.0.0.1:8443/verify-email#token={token}" in message.text
    assert await _verified_at(world, pair) is None
    # Only the token's SHA-256 is kept.
    stored = world.store.tables.of(IdentityTables).email_verifications[pair.actor.user_id]
    assert stored.digest == hashlib.sha256(token.encode()).digest()


async def test_until_verified_an_owner_cannot_invite_and_after_the_link_can(world: World) -> None:
    pair = await world.sign_up(verified=False)

    with pytest.raises(EmailUnverified) as refused:
        await _invite(world, pair, "bo@example.com")
    assert refused.value.code == "identity.email_unverified"
    assert [m.kind for m in world.email.sent] == ["email_verification"]  # nothing sent

    await _verify(world, world.verification_token(pair.actor))
    await _invite(world, pair, "bo@example.com")

    assert await _verified_at(world, pair) == world.clock.now()
    assert world.email.sent[-1].kind == "invitation"


async def test_a_link_works_once(world: World) -> None:
    pair = await world.sign_up(verified=False)
    token = world.verification_token(pair.actor)
    await _verify(world, token)

    with pytest.raises(EmailVerificationInvalid):
        await _verify(world, token)


async def test_an_expired_link_is_refused_and_leaves_the_account_unverified(world: World) -> None:
    pair = await world.sign_up(verified=False)
    world.clock.advance(timedelta(hours=24))

    with pytest.raises(EmailVerificationInvalid):
        await _verify(world, world.verification_token(pair.actor))
    assert await _verified_at(world, pair) is None


async def test_forged_links_are_refused(world: World) -> None:
    ada = await world.sign_up(verified=False)
    bo = await world.sign_up(verified=False)
    ada_token, bo_token = world.verification_token(ada.actor), world.verification_token(bo.actor)
    tenant, user, secret = ada_token.split(".")
    forged = [
        "not a token",
        f"{tenant}.{user}.{'A' * len(secret)}",  # the right ids, a guessed secret
        f"{bo_token.rsplit('.', 1)[0]}.{secret}",  # someone else's ids, Ada's secret
        f"{tenant.upper()}.{user}.{secret}",  # another spelling of the same ids
    ]

    for token in forged:
        with pytest.raises(EmailVerificationInvalid):
            await _verify(world, token)
    assert await _verified_at(world, ada) is None
    assert await _verified_at(world, bo) is None


async def test_resending_replaces_the_link_and_is_limited(world: World) -> None:
    pair = await world.sign_up(verified=False)
    first = world.verification_token(pair.actor)
    resend = world.identity.resend_email_verification()

    for _ in range(5):
        await resend.execute(pair.actor)
    with pytest.raises(TooManyAttempts):
        await resend.execute(pair.actor)

    assert [m.kind for m in world.email.sent] == ["email_verification"] * 6
    with pytest.raises(EmailVerificationInvalid):
        await _verify(world, first)  # replaced by the newer ones
    await _verify(world, world.verification_token(pair.actor))
    assert await _verified_at(world, pair) is not None


async def test_a_verified_account_is_not_sent_another_link(world: World) -> None:
    pair = await world.sign_up()

    with pytest.raises(EmailAlreadyVerified):
        await world.identity.resend_email_verification().execute(pair.actor)


async def test_an_invitation_proves_the_address_of_who_accepts_it(world: World) -> None:
    owner = await world.sign_up()
    unverified = await world.sign_up(email="cy@example.com", verified=False)
    await _invite(world, owner, "bo@example.com")
    bo_link = world.email.sent[-1].text.split("#token=")[1].split()[0]
    await _invite(world, owner, "cy@example.com")
    cy_link = world.email.sent[-1].text.split("#token=")[1].split()[0]
    accept = world.identity.accept_invitation()

    bo = await accept.execute(
        AcceptInvitationCommand(token=Secret(bo_link), password=Secret(PASSWORD), name="Bo"),
        CLIENT,
    )
    cy = await accept.execute(
        AcceptInvitationCommand(token=Secret(cy_link), password=Secret(PASSWORD)), CLIENT
    )

    assert await _verified_at(world, bo) == world.clock.now()
    assert await _verified_at(world, cy) == world.clock.now()  # an existing account too
    assert await _verified_at(world, unverified) == world.clock.now()  # the same account
    with pytest.raises(EmailVerificationInvalid):  # its pending link went with the proof
        await _verify(world, world.verification_token(unverified.actor))
