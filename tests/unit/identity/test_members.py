"""Members and invitations on the fakes: single-use invitations, role rules, removals."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from application.identity.accept_invitation import AcceptInvitationCommand
from application.identity.invitations import InviteCommand
from application.identity.sessions import TokenPair
from domain.identity.errors import (
    EmailUnavailable,
    InvalidCredentials,
    InvalidRefreshToken,
    InvitationInvalid,
    LastOwner,
    MembershipExists,
    MembershipNotFound,
    OwnerRequired,
    RoleRequired,
)
from domain.identity.model import Role
from domain.shared.secret import Secret
from entrypoints.http.di import resolve
from tests.factories.sessions import CLIENT, PASSWORD, World, identity_world


@pytest.fixture
def world(tmp_path: Path) -> World:
    return identity_world(tmp_path)


async def _invite(world: World, by: TokenPair, email: str, role: Role = Role.MEMBER) -> str:
    await world.identity.invite_member().execute(by.actor, InviteCommand(email=email, role=role))
    return world.email.sent[-1].text.split("#token=")[1].split()[0]


async def _accept(
    world: World, token: str, password: str = PASSWORD, name: str | None = "Bo"
) -> TokenPair:
    command = AcceptInvitationCommand(token=Secret(token), password=Secret(password), name=name)
    return await world.identity.accept_invitation().execute(command, CLIENT)  # type: ignore[no-any-return]


async def test_an_invitation_is_emailed_and_works_exactly_once(world: World) -> None:
    owner = await world.sign_up()
    token = await _invite(world, owner, "bo@example.com", Role.ADMIN)

    joined = await _accept(world, token)
    with pytest.raises(InvitationInvalid):
        await _accept(world, token)
    members = await world.identity.list_members().execute(owner.actor)

    assert world.email.sent[-1].to == "bo@example.com"
    assert world.email.sent[-1].text.count("https://127.0.0.1:8443/accept-invitation#token=") == 1
    assert joined.actor.tenant_id == owner.actor.tenant_id
    assert joined.actor.role is Role.ADMIN
    assert ("bo@example.com", Role.ADMIN) in {(m.email, m.role) for m in members}


async def test_an_expired_or_withdrawn_invitation_is_refused(world: World) -> None:
    owner = await world.sign_up(email="ada@example.com")
    expired = await _invite(world, owner, "late@example.com")
    world.clock.advance(timedelta(days=7, seconds=1))
    owner = await world.log_in("ada@example.com")
    withdrawn = await _invite(world, owner, "never@example.com")
    (pending,) = await world.identity.list_invitations().execute(owner.actor)
    await world.identity.withdraw_invitation().execute(owner.actor, pending.id)

    for token in (expired, withdrawn, "not-a-token", expired[:-3] + "abc"):
        with pytest.raises(InvitationInvalid):
            await _accept(world, token)


async def test_an_existing_account_joins_with_its_own_password(world: World) -> None:
    owner = await world.sign_up()
    await world.sign_up(email="bo@example.com")
    token = await _invite(world, owner, "bo@example.com")

    with pytest.raises(InvalidCredentials):
        await _accept(world, token, password="not bo's password")
    joined = await _accept(world, token, name=None)

    assert joined.actor.tenant_id == owner.actor.tenant_id


async def test_inviting_a_member_again_is_a_conflict(world: World) -> None:
    owner = await world.sign_up(email="ada@example.com")

    with pytest.raises(MembershipExists):
        await _invite(world, owner, "ada@example.com")


async def test_a_failed_email_is_reported_not_dropped(world: World) -> None:
    owner = await world.sign_up()
    world.email.failing = True

    with pytest.raises(EmailUnavailable):
        await _invite(world, owner, "bo@example.com")


async def test_only_owners_touch_the_owner_role_and_one_owner_always_remains(world: World) -> None:
    owner = await world.sign_up()
    admin = await _accept(world, await _invite(world, owner, "ad@example.com", Role.ADMIN))
    member = await _accept(world, await _invite(world, owner, "me@example.com"))
    change = world.identity.change_member_role()

    with pytest.raises(OwnerRequired):
        await change.execute(admin.actor, member.actor.user_id, Role.OWNER)
    with pytest.raises(OwnerRequired):
        await (await resolve(world.identity.remove_member)).execute(
            admin.actor, owner.actor.user_id
        )
    with pytest.raises(LastOwner):
        await change.execute(owner.actor, owner.actor.user_id, Role.ADMIN)
    promoted = await change.execute(owner.actor, member.actor.user_id, Role.OWNER)
    demoted = await change.execute(owner.actor, owner.actor.user_id, Role.MEMBER)

    assert (promoted.role, demoted.role) == (Role.OWNER, Role.MEMBER)


async def test_a_demoted_admin_loses_member_management_at_once(world: World) -> None:
    owner = await world.sign_up()
    admin = await _accept(world, await _invite(world, owner, "ad@example.com", Role.ADMIN))
    await world.identity.change_member_role().execute(owner.actor, admin.actor.user_id, Role.MEMBER)

    with pytest.raises(RoleRequired):  # the access token still says admin
        await _invite(world, admin, "x@example.com")


async def test_a_removed_member_loses_their_sessions_in_that_tenant(world: World) -> None:
    owner = await world.sign_up()
    member = await _accept(world, await _invite(world, owner, "me@example.com"))

    await (await resolve(world.identity.remove_member)).execute(owner.actor, member.actor.user_id)

    with pytest.raises(InvalidRefreshToken):
        await world.refresh(member)
    with pytest.raises(MembershipNotFound):
        await world.identity.show_member().execute(owner.actor, member.actor.user_id)


async def test_another_tenants_member_is_not_found(world: World) -> None:
    mine, theirs = await world.sign_up(), await world.sign_up()

    with pytest.raises(MembershipNotFound):
        await world.identity.show_member().execute(mine.actor, theirs.actor.user_id)
    with pytest.raises(MembershipNotFound):
        await (await resolve(world.identity.remove_member)).execute(
            mine.actor, theirs.actor.user_id
        )
