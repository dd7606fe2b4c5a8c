"""Verify every tenant's audit chain (or one), link by link, and name the first broken one."""

from __future__ import annotations

from typing import final

import msgspec

from application.compliance.ports import AuditChains, ChainHead
from domain.compliance.audit import ChainBreak, ChainVerifier
from domain.shared.ids import TenantId

BATCH = 5000


class ChainReport(msgspec.Struct, frozen=True, kw_only=True):
    tenant_id: TenantId
    verified: int  # links that hold, from seq 1
    broken: ChainBreak | None


@final
class VerifyAuditTrail:
    def __init__(self, chains: AuditChains, batch: int = BATCH) -> None:
        self._chains, self._batch = chains, batch

    async def execute(self, tenant: TenantId | None = None) -> list[ChainReport]:
        tenants = [tenant] if tenant is not None else list(await self._chains.tenants())
        return [await self.chain(t) for t in tenants]

    async def chain(self, tenant: TenantId) -> ChainReport:
        # The head first: links appended while this runs lie beyond it and wait for next time.
        head = await self._chains.head(tenant)
        verifier = ChainVerifier(tenant)
        after = 0
        while after < head.last_seq and verifier.broken is None:
            links = await self._chains.links(tenant, after, self._batch)
            for link in links:
                if link.seq > head.last_seq or verifier.add(link) is not None:
                    break
            if not links or links[-1].seq <= after:
                break
            after = links[-1].seq
        broken = verifier.finish(head.last_seq, head.last_hash)
        if broken is None and await self._beyond(head):
            broken = verifier.beyond_head(head.last_seq)
        return ChainReport(tenant_id=tenant, verified=verifier.last_seq, broken=broken)

    async def _beyond(self, head: ChainHead) -> bool:
        """Rows past the head that no commit put there: a head deleted or moved back. (An
        append commits its rows and its head together, so a row appended since the head was
        read is covered by the head read after it.)"""
        extra = await self._chains.links(head.tenant_id, head.last_seq, 1)
        if not extra:
            return False
        return (await self._chains.head(head.tenant_id)).last_seq < extra[0].seq
