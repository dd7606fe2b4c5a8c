"""In-memory refresh sessions, invitations and security events, mirroring row security.

Families and tokens are private to one user in one tenant (as in PostgreSQL); invitations and
security events belong to the tenant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

import msgspec

from application.identity.ports import (
    IdentityUnitOfWork,
    InvitationRepository,
    ProfileReads,
    ProfileSnapshot,
    RefreshSessionRepository,
    SecurityEventRepository,
)
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.identity.invitations import Invitation
from domain.identity.model import Membership, Role
from domain.identity.sessions import (
    RefreshFamily,
    RefreshTokenRecord,
    RefreshTokenState,
    SecurityEvent,
)
from domain.shared.errors import ScopeViolation
from domain.shared.ids import TenantId, UserId


@dataclass
class SessionTables:
    families: dict[tuple[TenantId, UUID], RefreshFamily] = field(default_factory=dict)
    tokens: dict[tuple[TenantId, bytes], RefreshTokenRecord] = field(default_factory=dict)
    invitations: dict[tuple[TenantId, UUID], Invitation] = field(default_factory=dict)
    security_events: dict[tuple[TenantId, UUID], SecurityEvent] = field(default_factory=dict)

    def end_membership(self, tenant_id: TenantId, user_id: UserId) -> None:
        """What the families' foreign key does in PostgreSQL: ON DELETE CASCADE."""
        for key, family in list(self.families.items()):
            if (family.tenant_id, family.user_id) == (tenant_id, user_id):
                del self.families[key]
        for digest_key, token in list(self.tokens.items()):
            if (token.tenant_id, token.user_id) == (tenant_id, user_id):
                del self.tokens[digest_key]


class FakeRefreshSessionRepository(RefreshSessionRepository):
    def __init__(
        self,
        tables: SessionTables,
        scope: Scope,
        members: dict[tuple[TenantId, UserId], Membership] | None = None,
    ) -> None:
        self._tables, self._scope, self._members = tables, scope, members

    def _mine(self, tenant_id: TenantId, user_id: UserId) -> bool:
        return tenant_id == self._scope.tenant_id and user_id == self._scope.user_id

    async def add_family(self, family: RefreshFamily) -> None:
        if not self._mine(family.tenant_id, family.user_id):
            raise ScopeViolation()
        self._tables.families[(family.tenant_id, family.id)] = family

    async def family_and_role(self, family_id: UUID) -> tuple[RefreshFamily, Role] | None:
        family = await self.get_family(family_id)
        if family is None or self._members is None:
            return None
        membership = self._members.get((family.tenant_id, family.user_id))
        return (family, membership.role) if membership is not None else None

    async def get_family(self, family_id: UUID, *, lock: bool = False) -> RefreshFamily | None:
        family = self._tables.families.get((self._scope.tenant_id, family_id))  # type: ignore[arg-type]
        return (
            family if family is not None and self._mine(family.tenant_id, family.user_id) else None
        )

    async def save_family(self, family: RefreshFamily) -> None:
        key = (family.tenant_id, family.id)
        if key in self._tables.families and self._mine(family.tenant_id, family.user_id):
            self._tables.families[key] = family

    async def open_families(self) -> list[RefreshFamily]:
        return sorted(
            (
                f
                for f in self._tables.families.values()
                if self._mine(f.tenant_id, f.user_id) and f.revoked_at is None
            ),
            key=lambda f: f.created_at,
        )

    async def families_of(self, tenant_id: TenantId, user_id: UserId) -> list[RefreshFamily]:
        if (tenant_id, user_id) != (self._scope.tenant_id, self._scope.user_id):
            return []  # row security: another user's rows are invisible
        return [f for f in await self.open_families() if f.user_id == user_id]

    async def family_of(
        self, tenant_id: TenantId, user_id: UserId, family_id: UUID
    ) -> RefreshFamily | None:
        family = await self.get_family(family_id)
        if family is None or (family.tenant_id, family.user_id) != (tenant_id, user_id):
            return None
        return family

    async def add_token(self, token: RefreshTokenRecord) -> None:
        if not self._mine(token.tenant_id, token.user_id):
            raise ScopeViolation()
        self._tables.tokens[(token.tenant_id, token.digest)] = token

    async def consume(self, digest: bytes, at: datetime) -> RefreshTokenRecord | None:
        token = await self.find_token(digest)
        if token is None or token.state is not RefreshTokenState.UNUSED:
            return None
        used = msgspec.structs.replace(token, used_at=at, state=RefreshTokenState.ROTATED)
        self._tables.tokens[(token.tenant_id, digest)] = used
        return used

    async def find_token(self, digest: bytes) -> RefreshTokenRecord | None:
        token = self._tables.tokens.get((self._scope.tenant_id, digest))  # type: ignore[arg-type]
        return token if token is not None and self._mine(token.tenant_id, token.user_id) else None

    async def children(self, digest: bytes) -> list[RefreshTokenRecord]:
        return [
            t
            for t in self._tables.tokens.values()
            if t.parent_digest == digest and self._mine(t.tenant_id, t.user_id)
        ]

    async def supersede_unused(self, family_id: UUID, at: datetime) -> None:
        for key, token in list(self._tables.tokens.items()):
            if (
                token.family_id == family_id
                and self._mine(token.tenant_id, token.user_id)
                and token.state is RefreshTokenState.UNUSED
            ):
                self._tables.tokens[key] = msgspec.structs.replace(
                    token, used_at=at, state=RefreshTokenState.SUPERSEDED
                )


class FakeInvitationRepository(InvitationRepository):
    def __init__(self, tables: SessionTables, scope: Scope) -> None:
        self._tables, self._scope = tables, scope

    def _visible(self) -> list[Invitation]:
        return [
            i for i in self._tables.invitations.values() if i.tenant_id == self._scope.tenant_id
        ]

    async def add(self, invitation: Invitation) -> None:
        if invitation.tenant_id != self._scope.tenant_id:
            raise ScopeViolation()
        self._tables.invitations[(invitation.tenant_id, invitation.id)] = invitation

    async def get(self, invitation_id: UUID) -> Invitation | None:
        return next((i for i in self._visible() if i.id == invitation_id), None)

    async def find(self, digest: bytes) -> Invitation | None:
        return next((i for i in self._visible() if i.digest == digest), None)

    async def pending(self, at: datetime) -> list[Invitation]:
        return sorted((i for i in self._visible() if i.open(at)), key=lambda i: i.created_at)

    async def accept(self, digest: bytes, at: datetime) -> Invitation | None:
        invitation = await self.find(digest)
        if invitation is None or not invitation.open(at):
            return None
        accepted = msgspec.structs.replace(invitation, accepted_at=at)
        await self.save(accepted)
        return accepted

    async def save(self, invitation: Invitation) -> None:
        key = (invitation.tenant_id, invitation.id)
        if invitation.tenant_id == self._scope.tenant_id and key in self._tables.invitations:
            self._tables.invitations[key] = invitation


class FakeSecurityEventRepository(SecurityEventRepository):
    def __init__(self, tables: SessionTables, scope: Scope) -> None:
        self._tables, self._scope = tables, scope

    async def add(self, event: SecurityEvent) -> None:
        if event.tenant_id != self._scope.tenant_id:
            raise ScopeViolation()
        self._tables.security_events[(event.tenant_id, event.id)] = event

    async def recent(self, limit: int = 50) -> list[SecurityEvent]:
        mine = [
            e for e in self._tables.security_events.values() if e.tenant_id == self._scope.tenant_id
        ]
        return sorted(mine, key=lambda e: e.occurred_at, reverse=True)[:limit]


class FakeProfileReads(ProfileReads):
    def __init__(self, uow: IdentityUnitOfWork) -> None:
        self._uow = uow

    async def snapshot(self, actor: Actor) -> ProfileSnapshot | None:
        user = await self._uow.users.get(actor.user_id)
        tenant = await self._uow.tenants.get(actor.tenant_id)
        if user is None or tenant is None:
            return None
        return ProfileSnapshot(
            user_id=user.id,
            email=user.email,
            name=user.name,
            email_verified_at=user.email_verified_at,
            tenant=tenant,
            tenants=await self._uow.memberships.of_current_user(),
            family=await self._uow.sessions.get_family(actor.session_id),
        )
