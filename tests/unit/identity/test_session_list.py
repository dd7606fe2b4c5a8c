"""The Account screen's sessions: the caller's live sessions in this tenant, and ending one."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from domain.identity.errors import InvalidRefreshToken, SessionNotFound
from domain.identity.sessions import RevocationReason
from tests.factories.sessions import World, identity_world


@pytest.fixture
def world(tmp_path: Path) -> World:
    return identity_world(tmp_path)


async def test_the_list_shows_live_sessions_and_marks_the_current_one(world: World) -> None:
    first = await world.sign_up(email="ada@example.com")
    world.clock.advance(timedelta(minutes=1))
    second = await world.log_in("ada@example.com")
    ended = await world.log_in("ada@example.com")
    await world.identity.log_out().execute(ended.actor)

    listed = await world.identity.list_sessions().execute(second.actor)

    assert [s.id for s in listed] == [first.actor.session_id, second.actor.session_id]
    assert [s.current for s in listed] == [False, True]
    policy = world.identity.sessions().policy
    assert listed[1].expires_at == listed[1].last_used_at + policy.idle_timeout


async def test_idle_sessions_are_not_listed(world: World) -> None:
    old = await world.sign_up(email="ada@example.com")
    world.clock.advance(world.identity.sessions().policy.idle_timeout + timedelta(seconds=1))
    new = await world.log_in("ada@example.com")

    listed = await world.identity.list_sessions().execute(new.actor)

    assert [s.id for s in listed] == [new.actor.session_id]
    assert old.actor.session_id not in {s.id for s in listed}


async def test_ending_one_session_revokes_that_family_only(world: World) -> None:
    phone = await world.sign_up(email="ada@example.com")
    laptop = await world.log_in("ada@example.com")

    await world.identity.log_out().end_session(laptop.actor, phone.actor.session_id)

    with pytest.raises(InvalidRefreshToken):
        await world.refresh(phone)
    assert (await world.refresh(laptop)).actor == laptop.actor
    async with world.uow(phone.actor.scope) as uow:
        family = await uow.sessions.get_family(phone.actor.session_id)
    assert family is not None
    assert family.revoked_reason is RevocationReason.LOGOUT


async def test_another_users_or_an_unknown_or_ended_session_is_not_found(world: World) -> None:
    ada = await world.sign_up(email="ada@example.com")
    bob = await world.sign_up(email="bob@example.com")
    ended = await world.log_in("ada@example.com")
    await world.identity.log_out().execute(ended.actor)
    log_out = world.identity.log_out()

    for session_id in (bob.actor.session_id, uuid4(), ended.actor.session_id):
        with pytest.raises(SessionNotFound):
            await log_out.end_session(ada.actor, session_id)
    assert (await world.refresh(bob)).actor == bob.actor  # untouched
