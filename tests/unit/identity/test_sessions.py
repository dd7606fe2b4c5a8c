"""Sign-in sessions on the fake adapters: rotation, reuse detection, expiry and revocation."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from application.identity.accept_invitation import AcceptInvitationCommand
from application.identity.change_password import ChangePasswordCommand
from application.identity.invitations import InviteCommand
from application.identity.sessions import TokenPair
from domain.identity.errors import (
    InvalidCredentials,
    InvalidRefreshToken,
    ReauthenticationFailed,
    SessionEnded,
    TenantNotFound,
)
from domain.identity.model import Role
from domain.identity.sessions import RevocationReason, SecurityEventKind
from domain.shared.secret import Secret
from tests.factories.sessions import CLIENT, PASSWORD, World, identity_world


@pytest.fixture
def world(tmp_path: Path) -> World:
    return identity_world(tmp_path)


async def _family(world: World, pair: TokenPair):  # type: ignore[no-untyped-def]
    async with world.uow(pair.actor.scope) as uow:
        return await uow.sessions.get_family(pair.actor.session_id)


async def test_a_refresh_rotates_the_token_and_the_old_one_never_works_again(world: World) -> None:
    signed_up = await world.sign_up()
    world.clock.advance(timedelta(minutes=5))

    refreshed = await world.refresh(signed_up)
    world.clock.advance(timedelta(minutes=1))  # past the reuse window
    with pytest.raises(InvalidRefreshToken):
        await world.refresh(signed_up)

    assert refreshed.refresh_token != signed_up.refresh_token
    assert refreshed.actor == signed_up.actor


async def test_replaying_a_used_token_revokes_the_family_and_records_an_event(world: World) -> None:
    pair = await world.sign_up()
    newer = await world.refresh(pair)
    world.clock.advance(timedelta(seconds=31))

    with pytest.raises(InvalidRefreshToken):
        await world.refresh(pair)
    with pytest.raises(InvalidRefreshToken):
        await world.refresh(newer)  # the legitimate holder is out too: the family is gone
    family = await _family(world, pair)
    async with world.uow(pair.actor.scope) as uow:
        events = await uow.security_events.recent()

    assert family is not None
    assert family.revoked_reason is RevocationReason.REUSE_DETECTED
    assert [(e.kind, e.family_id, e.client_address) for e in events] == [
        (SecurityEventKind.REFRESH_TOKEN_REUSED, pair.actor.session_id, CLIENT.address)
    ]


async def test_the_previous_token_works_once_more_inside_the_window_only_while_unused(
    world: World,
) -> None:
    pair = await world.sign_up()
    first = await world.refresh(pair)
    world.clock.advance(timedelta(seconds=2))

    racing = await world.refresh(pair)  # a second tab with the same token, 2 s later
    await world.refresh(racing)  # one branch goes on …
    with pytest.raises(InvalidRefreshToken):
        await world.refresh(first)  # … and its superseded sibling is now a replay

    family = await _family(world, pair)
    assert family is not None
    assert family.revoked_reason is RevocationReason.REUSE_DETECTED


async def test_a_token_two_rotations_back_is_a_replay_even_inside_the_window(world: World) -> None:
    pair = await world.sign_up()
    second = await world.refresh(pair)
    await world.refresh(second)

    with pytest.raises(InvalidRefreshToken):
        await world.refresh(pair)

    family = await _family(world, pair)
    assert family is not None
    assert family.revoked_at is not None


async def test_an_idle_family_expires_after_7_days(world: World) -> None:
    pair = await world.sign_up()
    world.clock.advance(timedelta(days=7, seconds=1))

    with pytest.raises(InvalidRefreshToken):
        await world.refresh(pair)


async def test_daily_refreshes_still_end_30_days_after_sign_in(world: World) -> None:
    pair = await world.sign_up()
    for _ in range(29):
        world.clock.advance(timedelta(days=1))
        pair = await world.refresh(pair)
    world.clock.advance(timedelta(days=1, seconds=1))

    with pytest.raises(InvalidRefreshToken):
        await world.refresh(pair)


async def test_a_forged_prefix_finds_nothing(world: World) -> None:
    mine, theirs = await world.sign_up(), await world.sign_up()
    secret = mine.refresh_token.reveal().rsplit(".", 1)[1]
    forged = f"{theirs.actor.tenant_id}.{theirs.actor.user_id}.{secret}"

    with pytest.raises(InvalidRefreshToken):
        await world.refresh(forged)
    assert (await world.refresh(mine)).actor == mine.actor  # and nothing was revoked


async def test_logout_ends_this_session_only(world: World) -> None:
    here = await world.sign_up(email="ada@example.com")
    elsewhere = await world.log_in("ada@example.com")

    await world.identity.log_out().execute(here.actor)

    with pytest.raises(InvalidRefreshToken):
        await world.refresh(here)
    with pytest.raises(SessionEnded):
        await world.identity.show_profile().execute(here.actor)
    assert (await world.refresh(elsewhere)).actor.session_id == elsewhere.actor.session_id


async def test_logout_everywhere_ends_every_session_in_every_tenant(world: World) -> None:
    first = await world.sign_up(email="ada@example.com")
    second = await _join_second_tenant(world, first)
    other = await world.log_in("ada@example.com", tenant_id=second)

    await world.identity.log_out_everywhere().execute(first.actor)

    for pair in (first, other):
        with pytest.raises(InvalidRefreshToken):
            await world.refresh(pair)


async def test_a_password_change_keeps_this_session_and_ends_every_other(world: World) -> None:
    here = await world.sign_up(email="ada@example.com")
    there = await world.log_in("ada@example.com")
    command = ChangePasswordCommand(
        current_password=Secret(PASSWORD), new_password=Secret("a brand new passphrase")
    )

    await world.identity.change_password().execute(here.actor, command, CLIENT)

    with pytest.raises(InvalidRefreshToken):
        await world.refresh(there)
    assert (await world.refresh(here)).actor == here.actor
    with pytest.raises(InvalidCredentials):
        await world.log_in("ada@example.com")
    assert await world.log_in("ada@example.com", password="a brand new passphrase")


async def test_a_password_change_needs_the_current_password(world: World) -> None:
    pair = await world.sign_up()
    command = ChangePasswordCommand(
        current_password=Secret("not my password!"), new_password=Secret("a brand new passphrase")
    )

    with pytest.raises(ReauthenticationFailed):
        await world.identity.change_password().execute(pair.actor, command, CLIENT)


async def test_switching_tenant_moves_the_session_and_ends_the_old_one(world: World) -> None:
    first = await world.sign_up(email="ada@example.com")
    second = await _join_second_tenant(world, first)

    switched = await world.identity.switch_tenant().execute(first.actor, second)

    assert switched.actor.tenant_id == second
    assert switched.actor.session_id != first.actor.session_id
    with pytest.raises(SessionEnded):
        await world.identity.show_profile().execute(first.actor)
    with pytest.raises(InvalidRefreshToken):
        await world.refresh(first)
    profile = await world.identity.show_profile().execute(switched.actor)
    assert profile.tenant.id == second


async def test_switching_to_a_tenant_you_do_not_belong_to_is_not_found(world: World) -> None:
    mine, theirs = await world.sign_up(), await world.sign_up()

    with pytest.raises(TenantNotFound):
        await world.identity.switch_tenant().execute(mine.actor, theirs.actor.tenant_id)


async def _join_second_tenant(world: World, pair: TokenPair):  # type: ignore[no-untyped-def]
    """Invite ``pair``'s user into a new tenant and accept; returns that tenant's id."""
    owner = await world.sign_up(organisation="Zebra Logistics")
    email = await world.email_of(pair.actor)
    await world.identity.invite_member().execute(
        owner.actor, InviteCommand(email=email, role=Role.MEMBER)
    )
    token = world.email.sent[-1].text.split("#token=")[1].split()[0]
    await world.identity.accept_invitation().execute(
        AcceptInvitationCommand(token=Secret(token), password=Secret(PASSWORD)), CLIENT
    )
    return owner.actor.tenant_id
