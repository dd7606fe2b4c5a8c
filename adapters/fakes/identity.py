"""In-memory identity repositories that mirror the database's row security."""

from __future__ import annotations

from datetime import datetime

import msgspec

from adapters.fakes.identity_sessions import (
    FakeInvitationRepository,
    FakeProfileReads,
    FakeRefreshSessionRepository,
    FakeSecurityEventRepository,
    SessionTables,
)
from adapters.fakes.store import IdentityTables, Tables
from adapters.fakes.uow import FakeUnitOfWork
from application.identity.ports import (
    EmailVerificationRepository,
    IdentityUnitOfWork,
    MembershipRepository,
    TenantRepository,
    UserRepository,
)
from application.shared.scope import Scope
from domain.identity.email_verification import EmailVerification
from domain.identity.errors import EmailTaken, MembershipExists, TenantExists
from domain.identity.invitations import Member
from domain.identity.model import LoginIdentity, Membership, Tenant, TenantMembership, User
from domain.shared.errors import ScopeViolation
from domain.shared.ids import TenantId, UserId


class FakeTenantRepository(TenantRepository):
    def __init__(self, tables: IdentityTables, scope: Scope) -> None:
        self._tables, self._scope = tables, scope

    async def add(self, tenant: Tenant) -> None:
        if tenant.id != self._scope.tenant_id:  # WITH CHECK
            raise ScopeViolation()
        if tenant.id in self._tables.tenants:
            raise TenantExists()
        self._tables.tenants[tenant.id] = tenant

    async def lock(self, tenant_id: TenantId) -> None:
        return None  # one event loop, and a fake transaction cannot interleave a commit

    async def get(self, tenant_id: TenantId) -> Tenant | None:
        if tenant_id != self._scope.tenant_id:  # USING
            return None
        return self._tables.tenants.get(tenant_id)


class FakeUserRepository(UserRepository):
    def __init__(self, tables: IdentityTables, scope: Scope) -> None:
        self._tables, self._scope = tables, scope

    async def add(self, user: User) -> None:
        if user.id != self._scope.user_id:
            raise ScopeViolation()
        if any(other.email == user.email for other in self._tables.users.values()):
            raise EmailTaken()
        self._tables.users[user.id] = user

    async def get(self, user_id: UserId) -> User | None:
        if user_id != self._scope.user_id:
            return None
        return self._tables.users.get(user_id)

    async def save(self, user: User) -> None:
        if user.id != self._scope.user_id or user.id not in self._tables.users:
            return  # an UPDATE that matches no visible row changes nothing
        if any(o.email == user.email and o.id != user.id for o in self._tables.users.values()):
            raise EmailTaken()
        self._tables.users[user.id] = user

    async def find_login(self, email: str) -> LoginIdentity | None:
        for user in self._tables.users.values():
            if user.email == email and user.disabled_at is None:
                return LoginIdentity(user_id=user.id, password_hash=user.password_hash)
        return None


class FakeEmailVerificationRepository(EmailVerificationRepository):
    def __init__(self, tables: IdentityTables, scope: Scope) -> None:
        self._tables, self._scope = tables, scope

    async def replace(self, verification: EmailVerification) -> None:
        if verification.user_id != self._scope.user_id:  # WITH CHECK: own row only
            raise ScopeViolation()
        self._tables.email_verifications[verification.user_id] = verification

    async def consume(self, user_id: UserId, digest: bytes, at: datetime) -> bool:
        pending = self._tables.email_verifications.get(user_id)
        user = self._tables.users.get(user_id)
        if user_id != self._scope.user_id or pending is None or user is None:
            return False
        if pending.digest != digest or not pending.open(at):
            return False
        del self._tables.email_verifications[user_id]
        self._tables.users[user_id] = msgspec.structs.replace(user, email_verified_at=at)
        return True

    async def mark_verified(self, user_id: UserId, at: datetime) -> None:
        user = self._tables.users.get(user_id)
        if user_id != self._scope.user_id or user is None:
            return
        self._tables.email_verifications.pop(user_id, None)
        if user.email_verified_at is None:
            self._tables.users[user_id] = msgspec.structs.replace(user, email_verified_at=at)


class FakeMembershipRepository(MembershipRepository):
    def __init__(self, tables: IdentityTables, sessions: SessionTables, scope: Scope) -> None:
        self._tables, self._sessions, self._scope = tables, sessions, scope

    def _visible(self) -> list[Membership]:
        return [
            m for m in self._tables.memberships.values() if m.tenant_id == self._scope.tenant_id
        ]

    async def add(self, membership: Membership) -> None:
        if membership.tenant_id != self._scope.tenant_id:
            raise ScopeViolation()
        key = (membership.tenant_id, membership.user_id)
        if key in self._tables.memberships:
            raise MembershipExists()
        self._tables.memberships[key] = membership

    async def get(self, user_id: UserId) -> Membership | None:
        return next((m for m in self._visible() if m.user_id == user_id), None)

    async def all(self) -> list[Membership]:
        return sorted(self._visible(), key=lambda m: (m.created_at, m.user_id))

    async def save(self, membership: Membership) -> None:
        key = (membership.tenant_id, membership.user_id)
        if membership.tenant_id == self._scope.tenant_id and key in self._tables.memberships:
            self._tables.memberships[key] = membership

    async def remove(self, user_id: UserId) -> bool:
        key = (self._scope.tenant_id, user_id)
        removed = self._tables.memberships.pop(key, None) is not None  # type: ignore[arg-type]
        if removed and self._scope.tenant_id is not None:
            self._sessions.end_membership(self._scope.tenant_id, user_id)
        return removed

    async def roster(self) -> list[Member]:
        return [
            Member(
                user_id=m.user_id,
                email=self._tables.users[m.user_id].email,
                name=self._tables.users[m.user_id].name,
                role=m.role,
                joined_at=m.created_at,
            )
            for m in await self.all()
            if m.user_id in self._tables.users
        ]

    async def of_current_user(self) -> list[TenantMembership]:
        mine = [
            TenantMembership(
                tenant_id=m.tenant_id,
                tenant_name=self._tables.tenants[m.tenant_id].name,
                role=m.role,
            )
            for m in self._tables.memberships.values()
            if m.user_id == self._scope.user_id and self._scope.user_id is not None
        ]
        return sorted(mine, key=lambda m: (m.tenant_name, m.tenant_id))


class FakeIdentityUnitOfWork(FakeUnitOfWork, IdentityUnitOfWork):
    def _attach(self, tables: Tables) -> None:
        identity, sessions = tables.of(IdentityTables), tables.of(SessionTables)
        self.tenants = FakeTenantRepository(identity, self.scope)
        self.users = FakeUserRepository(identity, self.scope)
        self.memberships = FakeMembershipRepository(identity, sessions, self.scope)
        self.sessions = FakeRefreshSessionRepository(sessions, self.scope, identity.memberships)
        self.invitations = FakeInvitationRepository(sessions, self.scope)
        self.email_verifications = FakeEmailVerificationRepository(identity, self.scope)
        self.security_events = FakeSecurityEventRepository(sessions, self.scope)
        self.profiles = FakeProfileReads(self)
