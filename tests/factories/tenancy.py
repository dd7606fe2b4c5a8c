"""Seed every tenant table for a tenant, so isolation tests cover each table the schema has.

When a migration adds a tenant table, extend ``seed_tenant``: the isolation test fails while any
tenant table is left without rows for the tenants it generates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from application.identity.ports import IdentityUnitOfWork
from application.shared.scope import Scope
from domain.identity.model import Tenant, User
from tests.factories.identity import seed_sessions, seed_tenant_with_owner
from tests.factories.vault import seed_sealed_values


@dataclass(frozen=True)
class SeededTenant:
    tenant: Tenant
    people: list[User]

    @property
    def owner_scope(self) -> Scope:
        return Scope(tenant_id=self.tenant.id, user_id=self.people[0].id)


async def seed_tenant(
    identity_uow: Callable[[Scope], IdentityUnitOfWork], *, members: int
) -> SeededTenant:
    tenant, people = await seed_tenant_with_owner(identity_uow, members=members)
    await seed_sessions(identity_uow, tenant, people[0])  # identity: sessions, invitations
    # vault: one API key, and OAuth tokens private to the owner (the scope these tests bind)
    await seed_sealed_values(identity_uow, tenant, people[0])
    return SeededTenant(tenant=tenant, people=people)
