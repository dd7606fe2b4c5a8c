"""PostgreSQL repositories for invitations and security events."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.postgres import identity_tables as t
from adapters.postgres.identity_statements import run
from adapters.postgres.scoped import of_tenant, own_tenant
from application.identity.ports import InvitationRepository, SecurityEventRepository
from domain.identity.invitations import Invitation
from domain.identity.model import Role
from domain.identity.sessions import SecurityEvent, SecurityEventKind
from domain.shared.ids import TenantId, UserId

_I = t.invitations


class PostgresInvitationRepository(InvitationRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, invitation: Invitation) -> None:
        own_tenant(self._session, invitation.tenant_id)
        await run(self._session, insert(_I).values(**_invitation_row(invitation)))

    async def get(self, invitation_id: UUID) -> Invitation | None:
        return await self._one(
            select(_I).where(_I.c.invitation_id == invitation_id, of_tenant(self._session, _I))
        )

    async def find(self, digest: bytes) -> Invitation | None:
        return await self._one(
            select(_I).where(_I.c.token_digest == digest, of_tenant(self._session, _I))
        )

    async def pending(self, at: datetime) -> list[Invitation]:
        query = (
            select(_I)
            .where(
                _I.c.accepted_at.is_(None),
                _I.c.revoked_at.is_(None),
                _I.c.expires_at > at,
                of_tenant(self._session, _I),
            )
            .order_by(_I.c.created_at)
        )
        return [_invitation(row) for row in (await run(self._session, query)).all()]

    async def accept(self, digest: bytes, at: datetime) -> Invitation | None:
        return await self._one(
            update(_I)
            .where(
                _I.c.token_digest == digest,
                _I.c.accepted_at.is_(None),
                _I.c.revoked_at.is_(None),
                _I.c.expires_at > at,
                of_tenant(self._session, _I),
            )
            .values(accepted_at=at)
            .returning(*_I.c)
        )

    async def save(self, invitation: Invitation) -> None:
        await run(
            self._session,
            update(_I)
            .where(_I.c.invitation_id == invitation.id, of_tenant(self._session, _I))
            .values(accepted_at=invitation.accepted_at, revoked_at=invitation.revoked_at),
        )

    async def _one(self, statement: Any) -> Invitation | None:
        row = (await run(self._session, statement)).one_or_none()
        return _invitation(row) if row is not None else None


def _invitation_row(invitation: Invitation) -> dict[str, Any]:
    return {
        "tenant_id": invitation.tenant_id,
        "invitation_id": invitation.id,
        "email": invitation.email,
        "role": invitation.role.value,
        "token_digest": invitation.digest,
        "invited_by": invitation.invited_by,
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
        "accepted_at": invitation.accepted_at,
        "revoked_at": invitation.revoked_at,
    }


def _invitation(row: Any) -> Invitation:
    return Invitation(
        id=row.invitation_id,
        tenant_id=TenantId(row.tenant_id),
        email=row.email,
        role=Role(row.role),
        digest=bytes(row.token_digest),
        invited_by=UserId(row.invited_by),
        created_at=row.created_at,
        expires_at=row.expires_at,
        accepted_at=row.accepted_at,
        revoked_at=row.revoked_at,
    )


_E = t.security_events


class PostgresSecurityEventRepository(SecurityEventRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, event: SecurityEvent) -> None:
        own_tenant(self._session, event.tenant_id)
        await run(
            self._session,
            insert(_E).values(
                tenant_id=event.tenant_id,
                event_id=event.id,
                user_id=event.user_id,
                kind=event.kind.value,
                family_id=event.family_id,
                client_address=event.client_address,
                user_agent=event.user_agent,
                occurred_at=event.occurred_at,
            ),
        )

    async def recent(self, limit: int = 50) -> list[SecurityEvent]:
        query = (
            select(_E)
            .where(of_tenant(self._session, _E))
            .order_by(_E.c.occurred_at.desc())
            .limit(limit)
        )
        return [
            SecurityEvent(
                id=row.event_id,
                tenant_id=TenantId(row.tenant_id),
                user_id=UserId(row.user_id),
                kind=SecurityEventKind(row.kind),
                family_id=row.family_id,
                client_address=row.client_address,
                user_agent=row.user_agent,
                occurred_at=row.occurred_at,
            )
            for row in (await run(self._session, query)).all()
        ]
