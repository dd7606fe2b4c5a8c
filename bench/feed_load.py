"""The feed benchmark's members and its event writer.

Members are written straight into the database and given sessions the way a sign-in opens them
(``Sessions.open``: a refresh family, an access token signed with the development keyring the
API processes share), so a thousand of them cost no bcrypt: signing up over HTTP takes ~0.4 s
of CPU per account at the enforced cost 12 (``ATLAS_BCRYPT_COST`` below 12 is refused), which
would be minutes on this machine. Their password hash is a placeholder nobody can sign in with.

Events are committed through the real outbox (``PostgresUnitOfWork`` + ``announce`` + commit,
as ``atlas_app``), at a fixed rate whatever each commit takes (open loop), each carrying the
wall-clock time just before its commit.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.clock import SystemClock
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.uow import PostgresUnitOfWork
from application.identity.sessions import Sessions
from application.shared.scope import Scope
from domain.feed.events import Audience, EventKind, FeedEvent
from domain.identity.model import Membership, Role, Tenant, User
from domain.shared.ids import TenantId, UserId, new_tenant_id, new_user_id
from domain.shared.secret import Secret
from entrypoints.identity_wiring import jwt_access_tokens
from entrypoints.settings import Settings

_NO_PASSWORD = Secret("$2b$12$" + "." * 53)  # matches no password: these members never sign in
# The mix of audiences: most events are for everyone, some for owners and admins only, some
# private to one member (from their unshared personal source), so every socket filters.
_ADMINS_SHARE, _PRIVATE_SHARE = 0.1, 0.1
_KINDS = {
    Audience.MEMBERS: EventKind.SYNC_PROGRESS,
    Audience.ADMINS: EventKind.SECURITY_ALERT,
    Audience.PRIVATE: EventKind.CONNECTION_STATUS,
}


@dataclass(frozen=True)
class Member:
    tenant: TenantId
    user: UserId
    role: Role
    token: Secret[str]  # an access token, valid for ATLAS_ACCESS_TOKEN_SECONDS (10 min)


@dataclass(frozen=True)
class Written:
    n: int
    tenant: int  # index into the tenants
    audience: Audience
    private_to: UserId | None
    commit_seconds: float

    def visible_to(self, member: Member) -> bool:
        if self.audience is Audience.MEMBERS:
            return True
        if self.audience is Audience.ADMINS:
            return member.role.manages_members
        return self.private_to == member.user


def _roles(per_tenant: int) -> Iterator[Role]:
    yield Role.OWNER
    yield Role.ADMIN
    for _ in range(per_tenant - 2):
        yield Role.MEMBER


async def seed(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], tenants: int, per_tenant: int
) -> list[list[Member]]:
    """``tenants`` tenants of ``per_tenant`` members each: an owner, an admin, the rest
    members; each with a session of its own."""
    tokens = next(jwt_access_tokens(settings, SystemClock()))  # creates the shared keyring
    opener = Sessions(tokens, SystemClock(), settings.identity.sessions)
    now = datetime.now(UTC)
    made = await asyncio.gather(
        *(_tenant(sessions, opener, per_tenant, now) for _ in range(tenants))
    )
    return list(made)


async def _tenant(
    sessions: async_sessionmaker[AsyncSession], opener: Sessions, per_tenant: int, now: datetime
) -> list[Member]:
    tenant = Tenant(id=new_tenant_id(), name=f"Bench {uuid4().hex[:8]}", region="europe-west4",
                    created_at=now)  # fmt: skip
    members = []
    for role in _roles(per_tenant):
        user = User(id=new_user_id(), email=f"bench-{uuid4().hex}@example.com", name="Bench",
                    password_hash=_NO_PASSWORD, created_at=now)  # fmt: skip
        scope = Scope(tenant_id=tenant.id, user_id=user.id)
        async with PostgresIdentityUnitOfWork(sessions, scope) as uow:
            if role is Role.OWNER:
                await uow.tenants.add(tenant)
            await uow.users.add(user)
            await uow.memberships.add(
                Membership(tenant_id=tenant.id, user_id=user.id, role=role, created_at=now)
            )
            pair = await opener.open(uow, tenant_id=tenant.id, user_id=user.id, role=role)
            await uow.commit()
        members.append(Member(tenant=tenant.id, user=user.id, role=role, token=pair.access_token))
    return members


class Writer:
    """Commits ``rate`` events a second over the tenants, chosen at random (seeded)."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], tenants: list[list[Member]]
    ) -> None:
        self.sessions, self._tenants = sessions, tenants
        self._rng = random.Random(11)
        self.written: list[Written] = []
        self.behind = 0.0  # the most a commit started after its planned time (s)

    async def run(self, rate: float, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        started, pending = loop.time(), set()
        for n in range(int(rate * seconds)):
            planned = started + n / rate
            await asyncio.sleep(max(0.0, planned - loop.time()))
            self.behind = max(self.behind, loop.time() - planned)
            pending.add(loop.create_task(self._commit(n)))
        await asyncio.gather(*pending)

    async def _commit(self, n: int) -> None:
        index = self._rng.randrange(len(self._tenants))
        members = self._tenants[index]
        draw = self._rng.random()
        audience = (
            Audience.ADMINS if draw < _ADMINS_SHARE
            else Audience.PRIVATE if draw < _ADMINS_SHARE + _PRIVATE_SHARE
            else Audience.MEMBERS
        )  # fmt: skip
        private_to = self._rng.choice(members).user if audience is Audience.PRIVATE else None
        # A private event is written by its member (row security holds writes to it too).
        scope = Scope(tenant_id=members[0].tenant, user_id=private_to or members[0].user)
        async with PostgresUnitOfWork(self.sessions, scope) as uow:
            sent = time.time()
            uow.events.announce(FeedEvent(kind=_KINDS[audience], data={"n": n, "sent": sent},
                                          audience=audience, private_to=private_to))  # fmt: skip
            await uow.commit()
        self.written.append(Written(n=n, tenant=index, audience=audience, private_to=private_to,
                                    commit_seconds=time.time() - sent))  # fmt: skip
