"""Email verification on PostgreSQL: only a digest stored and only its user sees it, single
use and expiry in the database, the erasure takes the link, and accounts that predate the
migration are verified by it."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from adapters.fakes.access_tokens import FakeAccessTokens
from adapters.fakes.clock import FrozenClock
from adapters.fakes.email import FakeEmailSender
from adapters.fakes.passwords import FakePasswordHasher
from adapters.fakes.rate_limiter import InMemoryRateLimiter
from adapters.postgres.migrate import upgrade
from adapters.postgres.throwaway import ThrowawayDatabase
from application.identity.email_verification import (
    VerificationMail,
    VerifyEmail,
    VerifyEmailCommand,
)
from application.identity.limits import Throttle
from application.identity.sessions import Sessions, TokenPair
from application.identity.sign_up import SignUp, SignUpCommand
from domain.identity.errors import EmailVerificationInvalid
from domain.identity.residency import Residency
from domain.identity.sessions import SessionPolicy
from domain.shared.secret import Secret
from tests.conftest import NOW, _provision_copy
from tests.factories.sessions import CLIENT, PASSWORD

pytestmark = pytest.mark.integration

POLICY = SessionPolicy(
    access_token_lifetime=timedelta(minutes=10),
    idle_timeout=timedelta(days=7),
    absolute_lifetime=timedelta(days=30),
    reuse_window=timedelta(seconds=10),
)


class OnPostgres:
    def __init__(self, uow_for: Any) -> None:
        self.clock = FrozenClock(NOW)
        self.email = FakeEmailSender()
        sessions = Sessions(FakeAccessTokens(self.clock), self.clock, POLICY)
        throttle = Throttle(InMemoryRateLimiter(self.clock))
        self._sign_up = SignUp(
            uow_for, FakePasswordHasher(), sessions, throttle, self.email,
            residency=Residency(region="europe-west4"),
            verification=VerificationMail(self.email, lambda token: f"https://app#token={token}"),
        )  # fmt: skip
        self._verify = VerifyEmail(uow_for, sessions, throttle)

    async def sign_up(self) -> tuple[TokenPair, str]:
        command = SignUpCommand(
            email=f"v-{uuid4().hex[:10]}@example.com", password=Secret(PASSWORD), name="Ada",
            organisation="Acme",
        )  # fmt: skip
        pair = await self._sign_up.execute(command, CLIENT)
        return pair, self.email.sent[-1].text.split("#token=")[1].split()[0]

    async def verify(self, token: str) -> None:
        await self._verify.execute(VerifyEmailCommand(token=Secret(token)), CLIENT)


@pytest.fixture
def sut(postgres_identity_uow: Any) -> OnPostgres:
    return OnPostgres(postgres_identity_uow)


@pytest.fixture
async def superuser(database: ThrowawayDatabase) -> Any:
    migrated = database.superuser.with_database(database.app.database)
    conn = await asyncpg.connect(**migrated.asyncpg_kwargs())
    try:
        yield conn
    finally:
        await conn.close()


async def _as_user(app: asyncpg.Connection, user_id: UUID, query: str) -> Any:
    async with app.transaction():
        await app.execute("SELECT set_config('app.user_id', $1, true)", str(user_id))
        return await app.fetchval(query)


async def test_only_the_digest_is_stored_and_only_its_user_sees_it(
    sut: OnPostgres, superuser: asyncpg.Connection, app_connection: asyncpg.Connection
) -> None:
    pair, token = await sut.sign_up()
    user_id = pair.actor.user_id

    stored = await superuser.fetchrow(
        "SELECT v.*, u.email_verified_at FROM atlas.email_verifications v "
        "JOIN atlas.users u USING (user_id) WHERE user_id = $1",
        user_id,
    )
    count = "SELECT count(*) FROM atlas.email_verifications"

    assert stored is not None
    assert bytes(stored["token_digest"]) == hashlib.sha256(token.encode()).digest()
    assert stored["expires_at"] == NOW + timedelta(hours=24)
    assert stored["email_verified_at"] is None
    assert token.split(".")[2] not in str(dict(stored))
    assert await _as_user(app_connection, user_id, count) == 1
    assert await _as_user(app_connection, uuid4(), count) == 0  # a colleague, anyone else


async def test_a_link_works_once_and_not_after_it_expires(
    sut: OnPostgres, superuser: asyncpg.Connection
) -> None:
    (late, late_token), (ok, ok_token) = await sut.sign_up(), await sut.sign_up()
    verified_at = "SELECT email_verified_at FROM atlas.users WHERE user_id = $1"

    sut.clock.advance(timedelta(hours=24))
    with pytest.raises(EmailVerificationInvalid):
        await sut.verify(late_token)
    sut.clock.advance(-timedelta(seconds=1))
    await sut.verify(ok_token)
    with pytest.raises(EmailVerificationInvalid):
        await sut.verify(ok_token)

    assert await superuser.fetchval(verified_at, late.actor.user_id) is None
    assert await superuser.fetchval(verified_at, ok.actor.user_id) == sut.clock.now()
    assert await superuser.fetchval(
        "SELECT count(*) FROM atlas.email_verifications WHERE user_id = $1", ok.actor.user_id
    ) == 0  # fmt: skip


async def test_the_erasure_takes_a_pending_link_with_the_account(
    sut: OnPostgres, superuser: asyncpg.Connection, app_connection: asyncpg.Connection
) -> None:
    (person, _), (other, _) = await sut.sign_up(), await sut.sign_up()
    # Someone else also owns the person's tenant, so the erasure is not refused (sole owner).
    await superuser.execute(
        "INSERT INTO atlas.memberships (tenant_id, user_id, role, created_at) "
        "VALUES ($1, $2, 'owner', now())",
        person.actor.tenant_id,
        other.actor.user_id,
    )
    await superuser.execute(
        "DELETE FROM atlas.memberships WHERE tenant_id = $1", other.actor.tenant_id
    )

    async with app_connection.transaction():
        await app_connection.execute(
            "SELECT set_config('app.user_id', $1, true), set_config('app.tenant_id', $2, true)",
            str(person.actor.user_id),
            str(person.actor.tenant_id),
        )
        await app_connection.fetchval("SELECT atlas.erase_current_user(now())")

    left = await superuser.fetchval(
        "SELECT count(*) FROM atlas.email_verifications WHERE user_id = ANY($1::uuid[])",
        [person.actor.user_id, other.actor.user_id],
    )
    assert left == 1  # the other person's link stays


async def test_accounts_that_predate_the_migration_are_verified_by_it(
    database: ThrowawayDatabase,
) -> None:
    name = f"atlas_{uuid4().hex[:12]}"
    admin = await asyncpg.connect(**database.superuser.asyncpg_kwargs())
    try:
        await _provision_copy(database, name)  # creates it, owned by the owner role
        await upgrade(database.owner.with_database(name), "0017")
        conn = await asyncpg.connect(**database.superuser.with_database(name).asyncpg_kwargs())
        try:
            user_id = uuid4()
            await conn.execute(
                "INSERT INTO atlas.users (user_id, email, name, created_at) "
                "VALUES ($1, 'old@example.com', 'Old', now() - interval '1 year')",
                user_id,
            )
            await upgrade(database.owner.with_database(name))
            verified = await conn.fetchval(
                "SELECT email_verified_at FROM atlas.users WHERE user_id = $1", user_id
            )
            default = await conn.fetchval(
                "SELECT column_default FROM information_schema.columns "
                "WHERE table_name = 'users' AND column_name = 'email_verified_at'"
            )
        finally:
            await conn.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()

    assert verified is not None
    assert default is None  # new accounts start unverified
