"""Refresh rotation on PostgreSQL: truly concurrent refreshes, replay, and no raw token stored."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.fakes.access_tokens import FakeAccessTokens
from adapters.fakes.clock import FrozenClock
from adapters.fakes.email import FakeEmailSender
from adapters.fakes.passwords import FakePasswordHasher
from adapters.fakes.rate_limiter import InMemoryRateLimiter
from adapters.postgres.throwaway import ThrowawayDatabase
from application.identity.email_verification import VerificationMail
from application.identity.limits import Throttle
from application.identity.refresh_session import RefreshSession
from application.identity.sessions import Sessions, TokenPair
from application.identity.sign_up import SignUp, SignUpCommand
from domain.identity.errors import InvalidRefreshToken
from domain.identity.residency import Residency
from domain.identity.sessions import RevocationReason, SecurityEventKind, SessionPolicy
from domain.shared.secret import Secret
from tests.conftest import NOW
from tests.factories.sessions import CLIENT, PASSWORD

pytestmark = pytest.mark.integration

POLICY = SessionPolicy(
    access_token_lifetime=timedelta(minutes=10),
    idle_timeout=timedelta(days=7),
    absolute_lifetime=timedelta(days=30),
    reuse_window=timedelta(seconds=10),
)


class OnPostgres:
    def __init__(self, uow_for: object) -> None:
        self.clock = FrozenClock(NOW)
        self.uow_for = uow_for
        sessions = Sessions(FakeAccessTokens(self.clock), self.clock, POLICY)
        throttle = Throttle(InMemoryRateLimiter(self.clock))
        here = Residency(region="europe-west4")
        self._sign_up = SignUp(
            uow_for,
            FakePasswordHasher(),
            sessions,
            throttle,
            FakeEmailSender(),
            residency=here,
            verification=VerificationMail(FakeEmailSender(), lambda token: token),
        )  # type: ignore[arg-type]
        self._refresh = RefreshSession(uow_for, sessions, throttle, here)  # type: ignore[arg-type]

    async def sign_up(self, email: str) -> TokenPair:
        command = SignUpCommand(
            email=email, password=Secret(PASSWORD), name="Ada", organisation="Acme"
        )
        return await self._sign_up.execute(command, CLIENT)

    async def refresh(self, pair: TokenPair) -> TokenPair:
        return await self._refresh.execute(pair.refresh_token, CLIENT)

    async def family(self, pair: TokenPair):  # type: ignore[no-untyped-def]
        async with self.uow_for(pair.actor.scope) as uow:  # type: ignore[operator]
            return (
                await uow.sessions.get_family(pair.actor.session_id),
                await uow.security_events.recent(),
            )


@pytest.fixture
def sut(postgres_identity_uow: object) -> OnPostgres:
    return OnPostgres(postgres_identity_uow)


async def test_truly_concurrent_refreshes_with_one_token_all_succeed(sut: OnPostgres) -> None:
    pair = await sut.sign_up(f"race-{id(sut)}@example.com")

    results = await asyncio.gather(*(sut.refresh(pair) for _ in range(4)))
    family, events = await sut.family(pair)

    assert len({r.refresh_token.reveal() for r in results}) == 4
    assert family is not None
    assert family.revoked_at is None
    assert events == []
    survivor = await sut.refresh(results[2])  # one branch goes on; its siblings are now spent
    sut.clock.advance(timedelta(seconds=11))
    with pytest.raises(InvalidRefreshToken):
        await sut.refresh(results[0])
    with pytest.raises(InvalidRefreshToken):
        await sut.refresh(survivor)


async def test_presenting_token_n_minus_2_revokes_the_family_and_records_it(
    sut: OnPostgres,
) -> None:
    first = await sut.sign_up(f"replay-{id(sut)}@example.com")
    second = await sut.refresh(first)
    third = await sut.refresh(second)

    with pytest.raises(InvalidRefreshToken):
        await sut.refresh(first)
    with pytest.raises(InvalidRefreshToken):
        await sut.refresh(third)
    family, events = await sut.family(first)

    assert family is not None
    assert family.revoked_reason is RevocationReason.REUSE_DETECTED
    assert [(e.kind, e.family_id, e.client_address, e.user_agent) for e in events] == [
        (SecurityEventKind.REFRESH_TOKEN_REUSED, family.id, CLIENT.address, CLIENT.user_agent)
    ]


async def test_a_database_dump_holds_no_refresh_token(
    sut: OnPostgres, database: ThrowawayDatabase, tmp_path: Path
) -> None:
    pair = await sut.sign_up(f"dump-{id(sut)}@example.com")
    newer = await sut.refresh(pair)
    superuser = database.superuser
    dump = tmp_path / "atlas.sql"

    await asyncio.to_thread(
        subprocess.run,
        [
            str(database.cluster.binaries.tool("pg_dump")),
            "-h",
            str(superuser.socket_dir),
            "-p",
            str(superuser.port),
            "-U",
            superuser.user,
            "-d",
            "atlas",
            "-f",
            str(dump),
        ],
        env={**os.environ, "PGPASSWORD": superuser.password or ""},
        check=True,
        capture_output=True,
    )
    text = dump.read_text()

    assert "refresh_tokens" in text
    for token in (pair.refresh_token.reveal(), newer.refresh_token.reveal()):
        assert token.rsplit(".", 1)[1] not in text


async def test_two_owners_demoting_each_other_at_once_leave_one_owner(
    postgres_identity_uow: object,
) -> None:
    from application.identity.members import ChangeMemberRole
    from application.shared.actor import Actor
    from domain.identity.errors import LastOwner, OwnerRequired
    from domain.identity.model import Role
    from domain.identity.sessions import RefreshFamily
    from domain.shared.ids import new_id, new_user_id
    from tests.factories.identity import create_membership, create_user

    world = OnPostgres(postgres_identity_uow)
    first = (await world.sign_up(email=f"owner-{new_id().hex}@example.com")).actor
    second_user = create_user(id=new_user_id())
    second = Actor(tenant_id=first.tenant_id, user_id=second_user.id, role=Role.OWNER,
                   session_id=new_id())  # fmt: skip
    async with postgres_identity_uow(second.scope) as uow:  # type: ignore[operator]
        await uow.users.add(second_user)
        await uow.memberships.add(create_membership(first.tenant_id, second.user_id, Role.OWNER))
        await uow.sessions.add_family(RefreshFamily.start(
            id=second.session_id, tenant_id=first.tenant_id, user_id=second.user_id,
            at=world.clock.now(), policy=POLICY))  # fmt: skip
        await uow.commit()
    sessions = Sessions(FakeAccessTokens(world.clock), world.clock, POLICY)
    change = ChangeMemberRole(_commit_together(postgres_identity_uow), sessions)  # type: ignore[arg-type]

    outcomes = await asyncio.gather(
        change.execute(first, second.user_id, Role.ADMIN),
        change.execute(second, first.user_id, Role.ADMIN),
        return_exceptions=True,
    )
    async with postgres_identity_uow(first.scope) as uow:  # type: ignore[operator]
        owners = [m for m in await uow.memberships.all() if m.role is Role.OWNER]

    # One wins; the other, re-reading after the lock, is no longer an owner or would remove
    # the last one: refused either way. Without the lock both commit and no owner is left.
    refusals = [o for o in outcomes if isinstance(o, (LastOwner, OwnerRequired))]
    assert len(refusals) == 1
    assert len(owners) == 1


def _commit_together(uow_for: Any) -> Any:
    """Units of work that wait (up to a second) for each other before committing, so both
    changes have read the owners before either commits: the race, made certain."""
    arrived, both = [0], asyncio.Event()

    def make(scope: Any) -> Any:
        uow = uow_for(scope)
        commit = uow.commit

        async def together() -> None:
            arrived[0] += 1
            if arrived[0] >= 2:
                both.set()
            with contextlib.suppress(TimeoutError):  # the other may be waiting on our lock
                await asyncio.wait_for(both.wait(), 1.0)
            await commit()

        uow.commit = together
        return uow

    return make
