"""Refresh rotation on PostgreSQL: truly concurrent refreshes, replay, and no raw token stored."""

from __future__ import annotations

import asyncio
import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.fakes.access_tokens import FakeAccessTokens
from adapters.fakes.clock import FrozenClock
from adapters.fakes.email import FakeEmailSender
from adapters.fakes.passwords import FakePasswordHasher
from adapters.fakes.rate_limiter import InMemoryRateLimiter
from adapters.postgres.throwaway import ThrowawayDatabase
from application.identity.limits import Throttle
from application.identity.refresh_session import RefreshSession
from application.identity.sessions import Sessions, TokenPair
from application.identity.sign_up import SignUp, SignUpCommand
from domain.identity.errors import InvalidRefreshToken
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
        self._sign_up = SignUp(uow_for, FakePasswordHasher(), sessions, throttle, FakeEmailSender())  # type: ignore[arg-type]
        self._refresh = RefreshSession(uow_for, sessions, throttle)  # type: ignore[arg-type]

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
