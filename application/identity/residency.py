"""The residency check the session-opening use cases share: is this tenant ours to serve?"""

from __future__ import annotations

from application.identity.ports import IdentityUnitOfWork
from domain.identity.residency import Residency
from domain.shared.ids import TenantId


async def admit_tenant(uow: IdentityUnitOfWork, residency: Residency, tenant_id: TenantId) -> None:
    """``WrongRegion`` when the tenant's recorded region is not this deployment's.

    ``uow`` is bound to the tenant (row security shows its own row only); it reads, and the
    caller raises before writing anything, so a refusal leaves no row behind.
    """
    tenant = await uow.tenants.get(tenant_id)
    if tenant is not None:
        residency.admit(tenant.region)
