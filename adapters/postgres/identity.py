"""PostgreSQL repositories of the identity context."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.postgres import tables as t
from adapters.postgres.identity_invitations import (
    PostgresInvitationRepository,
    PostgresSecurityEventRepository,
)
from adapters.postgres.identity_profile import PostgresProfileReads
from adapters.postgres.identity_sessions import PostgresRefreshSessionRepository
from adapters.postgres.identity_statements import run
from adapters.postgres.identity_verifications import PostgresEmailVerificationRepository
from adapters.postgres.scoped import is_self, of_tenant, own_self, own_tenant
from adapters.postgres.uow import PostgresUnitOfWork
from application.identity.ports import (
    IdentityUnitOfWork,
    MembershipRepository,
    TenantRepository,
    UserRepository,
)
from domain.identity.invitations import Member
from domain.identity.model import (
    LoginIdentity,
    Membership,
    Role,
    Tenant,
    TenantMembership,
    User,
)
from domain.shared.ids import TenantId, UserId
from domain.shared.secret import Secret


class PostgresTenantRepository(TenantRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, tenant: Tenant) -> None:
        own_tenant(self._session, tenant.id)
        await run(
            self._session,
            insert(t.tenants).values(
                tenant_id=tenant.id,
                name=tenant.name,
                region=tenant.region,
                created_at=tenant.created_at,
            ),
        )

    async def lock(self, tenant_id: TenantId) -> None:
        query = select(t.tenants.c.tenant_id).where(
            t.tenants.c.tenant_id == tenant_id, of_tenant(self._session, t.tenants)
        )
        await run(self._session, query.with_for_update())

    async def get(self, tenant_id: TenantId) -> Tenant | None:
        query = select(t.tenants).where(
            t.tenants.c.tenant_id == tenant_id, of_tenant(self._session, t.tenants)
        )
        result = await run(self._session, query)
        row = result.one_or_none()
        if row is None:
            return None
        return Tenant(
            id=TenantId(row.tenant_id),
            name=row.name,
            region=row.region,
            created_at=row.created_at,
            purge_after=row.purge_after,
        )


class PostgresUserRepository(UserRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, user: User) -> None:
        own_self(self._session, user.id)  # a login identity is its own user's to write
        await run(
            self._session,
            insert(t.users).values(
                user_id=user.id,
                email=user.email,
                name=user.name,
                created_at=user.created_at,
                disabled_at=user.disabled_at,
                email_verified_at=user.email_verified_at,
            ),
        )
        await run(
            self._session,
            insert(t.credentials).values(
                user_id=user.id,
                password_hash=user.password_hash.reveal(),
                updated_at=user.created_at,
            ),
        )

    async def get(self, user_id: UserId) -> User | None:
        query = (
            select(t.users, t.credentials.c.password_hash)
            .join(t.credentials, t.credentials.c.user_id == t.users.c.user_id)
            .where(t.users.c.user_id == user_id, is_self(self._session, t.users.c.user_id))
        )
        row = (await run(self._session, query)).one_or_none()
        if row is None:
            return None
        return User(
            id=UserId(row.user_id),
            email=row.email,
            name=row.name,
            password_hash=Secret(row.password_hash),
            created_at=row.created_at,
            disabled_at=row.disabled_at,
            email_verified_at=row.email_verified_at,
        )

    async def save(self, user: User) -> None:
        own_self(self._session, user.id)
        await run(
            self._session,
            update(t.users)
            .where(t.users.c.user_id == user.id, is_self(self._session, t.users.c.user_id))
            .values(email=user.email, name=user.name, disabled_at=user.disabled_at),
        )
        await run(
            self._session,
            update(t.credentials)
            .where(
                t.credentials.c.user_id == user.id,
                is_self(self._session, t.credentials.c.user_id),
            )
            .values(password_hash=user.password_hash.reveal(), updated_at=text("now()")),
        )

    async def find_login(self, email: str) -> LoginIdentity | None:
        # Before any tenant is known, by design: the definer function returns one id and hash.
        query = text("SELECT user_id, password_hash FROM atlas.login_identity(:email)")
        row = (await run(self._session, query, {"email": email})).one_or_none()
        if row is None:
            return None
        return LoginIdentity(user_id=UserId(row.user_id), password_hash=Secret(row.password_hash))


class PostgresMembershipRepository(MembershipRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, membership: Membership) -> None:
        own_tenant(self._session, membership.tenant_id)
        await run(
            self._session,
            insert(t.memberships).values(
                tenant_id=membership.tenant_id,
                user_id=membership.user_id,
                role=membership.role.value,
                created_at=membership.created_at,
            ),
        )

    async def get(self, user_id: UserId) -> Membership | None:
        m = t.memberships
        query = select(m).where(m.c.user_id == user_id, of_tenant(self._session, m))
        row = (await run(self._session, query)).one_or_none()
        return _membership(row) if row is not None else None

    async def all(self) -> list[Membership]:
        m = t.memberships
        query = select(m).where(of_tenant(self._session, m)).order_by(m.c.created_at, m.c.user_id)
        return [_membership(row) for row in (await run(self._session, query)).all()]

    async def save(self, membership: Membership) -> None:
        await run(
            self._session,
            update(t.memberships)
            .where(
                t.memberships.c.user_id == membership.user_id,
                of_tenant(self._session, t.memberships),
            )
            .values(role=membership.role.value),
        )

    async def remove(self, user_id: UserId) -> bool:
        m = t.memberships
        query = delete(m).where(m.c.user_id == user_id, of_tenant(self._session, m))
        return bool((await run(self._session, query)).rowcount)

    async def of_current_user(self) -> list[TenantMembership]:
        # Across tenants by design (the sign-in's tenant choice): the definer function, as
        # atlas_auth, names the context's user itself.
        query = text("SELECT tenant_id, tenant_name, role FROM atlas.memberships_of_current_user()")
        return [
            TenantMembership(
                tenant_id=TenantId(row.tenant_id), tenant_name=row.tenant_name, role=Role(row.role)
            )
            for row in (await run(self._session, query)).all()
        ]

    async def roster(self) -> list[Member]:
        # Colleagues' profiles are readable through the users_colleagues policy; hashes never.
        query = (
            select(t.memberships, t.users.c.email, t.users.c.name)
            .join(t.users, t.users.c.user_id == t.memberships.c.user_id)
            .where(of_tenant(self._session, t.memberships))
            .order_by(t.memberships.c.created_at, t.memberships.c.user_id)
        )
        return [
            Member(
                user_id=UserId(row.user_id),
                email=row.email,
                name=row.name,
                role=Role(row.role),
                joined_at=row.created_at,
            )
            for row in (await run(self._session, query)).all()
        ]


def _membership(row: Any) -> Membership:
    return Membership(
        tenant_id=TenantId(row.tenant_id),
        user_id=UserId(row.user_id),
        role=Role(row.role),
        created_at=row.created_at,
    )


class PostgresIdentityUnitOfWork(PostgresUnitOfWork, IdentityUnitOfWork):
    def _attach(self, session: AsyncSession) -> None:
        self.tenants = PostgresTenantRepository(session)
        self.users = PostgresUserRepository(session)
        self.memberships = PostgresMembershipRepository(session)
        self.sessions = PostgresRefreshSessionRepository(session)
        self.invitations = PostgresInvitationRepository(session)
        self.email_verifications = PostgresEmailVerificationRepository(session)
        self.security_events = PostgresSecurityEventRepository(session)
        self.profiles = PostgresProfileReads(session)
