"""PostgreSQL repository of refresh sessions: families and their rotating tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.postgres import identity_tables as t
from adapters.postgres.identity_statements import run
from adapters.postgres.scoped import of_user, own_user
from adapters.postgres.tables import memberships
from application.identity.ports import (
    RefreshSessionRepository,
)
from domain.identity.model import Role
from domain.identity.sessions import (
    RefreshFamily,
    RefreshTokenRecord,
    RefreshTokenState,
    RevocationReason,
)
from domain.shared.ids import TenantId, UserId

_F, _T = t.refresh_families, t.refresh_tokens


class PostgresRefreshSessionRepository(RefreshSessionRepository):
    # Every statement names the scope's user in the scope's tenant (adapters/postgres/scoped.py);
    # row security limits them to the same rows again.

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_family(self, family: RefreshFamily) -> None:
        own_user(self._session, family.tenant_id, family.user_id)
        await run(self._session, insert(_F).values(**_family_row(family)))

    async def family_and_role(self, family_id: UUID) -> tuple[RefreshFamily, Role] | None:
        m = memberships
        query = (
            select(_F, m.c.role)
            .join(m, (m.c.tenant_id == _F.c.tenant_id) & (m.c.user_id == _F.c.user_id))
            .where(_F.c.family_id == family_id, of_user(self._session, _F))
        )
        row = (await run(self._session, query)).one_or_none()
        return (family_from_row(row), Role(row.role)) if row is not None else None

    async def get_family(self, family_id: UUID, *, lock: bool = False) -> RefreshFamily | None:
        query = select(_F).where(_F.c.family_id == family_id, of_user(self._session, _F))
        if lock:
            query = query.with_for_update()
        row = (await run(self._session, query)).one_or_none()
        return family_from_row(row) if row is not None else None

    async def save_family(self, family: RefreshFamily) -> None:
        row = _family_row(family)
        await run(
            self._session,
            update(_F)
            .where(
                _F.c.tenant_id == family.tenant_id,
                _F.c.user_id == family.user_id,
                _F.c.family_id == family.id,
                of_user(self._session, _F),
            )
            .values(
                last_used_at=row["last_used_at"],
                revoked_at=row["revoked_at"],
                revoked_reason=row["revoked_reason"],
            ),
        )

    async def open_families(self) -> list[RefreshFamily]:
        query = (
            select(_F)
            .where(_F.c.revoked_at.is_(None), of_user(self._session, _F))
            .order_by(_F.c.created_at)
        )
        return [family_from_row(row) for row in (await run(self._session, query)).all()]

    async def families_of(self, tenant_id: TenantId, user_id: UserId) -> list[RefreshFamily]:
        query = (
            select(_F)
            .where(
                _F.c.tenant_id == tenant_id,
                _F.c.user_id == user_id,
                _F.c.revoked_at.is_(None),
                of_user(self._session, _F),
            )
            .order_by(_F.c.created_at, _F.c.family_id)
        )
        return [family_from_row(row) for row in (await run(self._session, query)).all()]

    async def family_of(
        self, tenant_id: TenantId, user_id: UserId, family_id: UUID
    ) -> RefreshFamily | None:
        query = select(_F).where(
            _F.c.tenant_id == tenant_id,
            _F.c.user_id == user_id,
            _F.c.family_id == family_id,
            of_user(self._session, _F),
        )
        row = (await run(self._session, query)).one_or_none()
        return family_from_row(row) if row is not None else None

    async def add_token(self, token: RefreshTokenRecord) -> None:
        own_user(self._session, token.tenant_id, token.user_id)
        await run(
            self._session,
            insert(_T).values(
                tenant_id=token.tenant_id,
                token_digest=token.digest,
                user_id=token.user_id,
                family_id=token.family_id,
                parent_digest=token.parent_digest,
                issued_at=token.issued_at,
                used_at=token.used_at,
                state=token.state.value,
            ),
        )

    async def consume(self, digest: bytes, at: datetime) -> RefreshTokenRecord | None:
        # The one decision point between concurrent refreshes: the row lock makes the second
        # UPDATE wait, re-check `state = 'unused'` against the committed row, and match nothing.
        query = (
            update(_T)
            .where(
                _T.c.token_digest == digest,
                _T.c.state == RefreshTokenState.UNUSED.value,
                of_user(self._session, _T),
            )
            .values(used_at=at, state=RefreshTokenState.ROTATED.value)
            .returning(*_T.c)
        )
        row = (await run(self._session, query)).one_or_none()
        return _token(row) if row is not None else None

    async def find_token(self, digest: bytes) -> RefreshTokenRecord | None:
        query = select(_T).where(_T.c.token_digest == digest, of_user(self._session, _T))
        row = (await run(self._session, query)).one_or_none()
        return _token(row) if row is not None else None

    async def children(self, digest: bytes) -> list[RefreshTokenRecord]:
        query = select(_T).where(_T.c.parent_digest == digest, of_user(self._session, _T))
        return [_token(row) for row in (await run(self._session, query)).all()]

    async def supersede_unused(self, family_id: UUID, at: datetime) -> None:
        await run(
            self._session,
            update(_T)
            .where(
                _T.c.family_id == family_id,
                _T.c.state == RefreshTokenState.UNUSED.value,
                of_user(self._session, _T),
            )
            .values(used_at=at, state=RefreshTokenState.SUPERSEDED.value),
        )


def _family_row(family: RefreshFamily) -> dict[str, Any]:
    return {
        "tenant_id": family.tenant_id,
        "family_id": family.id,
        "user_id": family.user_id,
        "created_at": family.created_at,
        "last_used_at": family.last_used_at,
        "expires_at": family.expires_at,
        "revoked_at": family.revoked_at,
        "revoked_reason": family.revoked_reason.value if family.revoked_reason else None,
    }


def family_from_row(row: Any) -> RefreshFamily:
    return RefreshFamily(
        id=row.family_id,
        tenant_id=TenantId(row.tenant_id),
        user_id=UserId(row.user_id),
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        revoked_reason=RevocationReason(row.revoked_reason) if row.revoked_reason else None,
    )


def _token(row: Any) -> RefreshTokenRecord:
    return RefreshTokenRecord(
        digest=bytes(row.token_digest),
        tenant_id=TenantId(row.tenant_id),
        user_id=UserId(row.user_id),
        family_id=row.family_id,
        parent_digest=bytes(row.parent_digest) if row.parent_digest is not None else None,
        issued_at=row.issued_at,
        used_at=row.used_at,
        state=RefreshTokenState(row.state),
    )
