"""``GET /me`` in one statement: profile, tenant, the user's tenants and the session's family."""

from __future__ import annotations

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.postgres.identity_sessions import family_from_row
from adapters.postgres.identity_statements import run
from adapters.postgres.scoped import bound
from application.identity.ports import ProfileReads, ProfileSnapshot
from application.shared.actor import Actor
from domain.identity.model import Tenant, TenantMembership
from domain.shared.ids import TenantId, UserId

# The statement names the scope's user and tenant (the family: both), and row security holds
# it to the same rows; the tenant list comes from the narrow definer function. One round trip
# instead of four keeps /me cheap.
_SNAPSHOT = text(
    """
    SELECT u.user_id, u.email, u.name, u.email_verified_at,
           t.tenant_id, t.name AS tenant_name, t.region, t.created_at AS tenant_created_at,
           t.purge_after,
           f.family_id, f.created_at, f.last_used_at, f.expires_at, f.revoked_at,
           f.revoked_reason,
           (SELECT coalesce(json_agg(json_build_object(
                       'tenant_id', m.tenant_id, 'tenant_name', m.tenant_name, 'role', m.role)
                       ORDER BY m.tenant_name, m.tenant_id), '[]'::json)::text
              FROM atlas.memberships_of_current_user() m) AS tenants
    FROM atlas.users u
    JOIN atlas.tenants t ON t.tenant_id = :tenant_id AND t.tenant_id = :tenant
    LEFT JOIN atlas.refresh_families f
           ON f.family_id = :family_id AND f.tenant_id = :tenant AND f.user_id = :user
    WHERE u.user_id = :user_id AND u.user_id = :user
    """
)
_MEMBERSHIPS = msgspec.json.Decoder(list[TenantMembership])


class PostgresProfileReads(ProfileReads):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def snapshot(self, actor: Actor) -> ProfileSnapshot | None:
        params = {
            "tenant_id": actor.tenant_id,
            "family_id": actor.session_id,
            "user_id": actor.user_id,
            **bound(self._session),
        }
        row = (await run(self._session, _SNAPSHOT, params)).one_or_none()
        if row is None:
            return None
        return ProfileSnapshot(
            user_id=UserId(row.user_id),
            email=row.email,
            name=row.name,
            email_verified_at=row.email_verified_at,
            tenant=Tenant(
                id=TenantId(row.tenant_id),
                name=row.tenant_name,
                region=row.region,
                created_at=row.tenant_created_at,
                purge_after=row.purge_after,
            ),
            tenants=_MEMBERSHIPS.decode(row.tenants),
            # The family's tenant and user are the row's: the join admits no other.
            family=family_from_row(row) if row.family_id is not None else None,
        )
