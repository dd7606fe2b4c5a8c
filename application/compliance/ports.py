"""Ports the audit trail's readers need: a member's view of their tenant's chain, and every
tenant's chain for ``atlas audit verify``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import msgspec

from domain.compliance.audit import AuditRecord
from domain.shared.ids import TenantId


class AuditFilter(msgspec.Struct, frozen=True, kw_only=True):
    action: str | None = None
    actor_id: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    outcome: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


class ChainHead(msgspec.Struct, frozen=True, kw_only=True):
    tenant_id: TenantId
    last_seq: int
    last_hash: bytes


class AuditChains(Protocol):
    """Reads one tenant's chain at a time, each in a transaction bound to that tenant."""

    async def tenants(self) -> Sequence[TenantId]:
        """Every tenant (most have a chain)."""
        ...

    async def head(self, tenant: TenantId) -> ChainHead: ...

    async def links(self, tenant: TenantId, after_seq: int, limit: int) -> Sequence[AuditRecord]:
        """The tenant's rows with ``seq > after_seq``, in ``seq`` order, as stored."""
        ...

    async def newest_first(
        self, tenant: TenantId, where: AuditFilter, before_seq: int | None, limit: int
    ) -> Sequence[AuditRecord]:
        """Rows matching ``where`` with ``seq < before_seq`` (all when None), newest first."""
        ...
