"""Every tenant of the deployment, for its operator (``atlas tenants list``).

Listing crosses tenants, which no unit of work may do: it reads as the backup role (BYPASSRLS,
read-only), which operators hold anyway, rather than widening the app role with another
definer function. Names, dates and counts only; nothing a tenant stores in its graph.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import asyncpg
import msgspec

from adapters.postgres.roles import SCHEMA
from adapters.postgres.url import DatabaseUrl

LIMIT = 10_000  # a deployment's tenants; past that an operator wants SQL, not a table

_LIST = f"""
    SELECT t.tenant_id, t.name, t.created_at, t.region, t.purge_after,
           (SELECT count(*) FROM {SCHEMA}.memberships m WHERE m.tenant_id = t.tenant_id)
               AS members
    FROM {SCHEMA}.tenants t
    ORDER BY t.created_at, t.tenant_id
    LIMIT {LIMIT}
"""  # noqa: S608 - constant schema name and limit


class TenantListing(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    name: str
    region: str
    created_at: datetime
    members: int
    status: Literal["active", "pending_deletion"]
    purge_after: datetime | None = None


async def list_tenants(backup: DatabaseUrl) -> list[TenantListing]:
    connection = await asyncpg.connect(**backup.asyncpg_kwargs())
    try:
        async with connection.transaction(readonly=True):
            rows = await connection.fetch(_LIST)
    finally:
        await connection.close()
    return [_listing(row) for row in rows]


def _listing(row: asyncpg.Record) -> TenantListing:
    return TenantListing(
        id=row["tenant_id"], name=row["name"], region=row["region"],
        created_at=row["created_at"], members=row["members"],
        status="pending_deletion" if row["purge_after"] else "active",
        purge_after=row["purge_after"],
    )  # fmt: skip
