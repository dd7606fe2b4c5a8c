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
    seeded = SeededTenant(tenant=tenant, people=people)
    await _seed_graph(identity_uow, seeded.owner_scope)
    await _seed_integrations(identity_uow, seeded.owner_scope)
    return seeded


# --- graph -----------------------------------------------------------------------------------
async def _seed_graph(identity_uow: Callable[[Scope], IdentityUnitOfWork], scope: Scope) -> None:
    """Every graph table, through the ingest use case, on the same store as ``identity_uow``."""
    from datetime import UTC, datetime
    from functools import partial

    from adapters.fakes.clock import FrozenClock
    from adapters.fakes.graph import FakeGraphUnitOfWork
    from adapters.fakes.identity import FakeIdentityUnitOfWork
    from adapters.postgres.graph_uow import PostgresGraphUnitOfWork
    from application.graph.ingest import IngestGraph
    from tests.factories.graph import seed_batch

    assert isinstance(identity_uow, partial)
    graph = FakeGraphUnitOfWork if identity_uow.func is FakeIdentityUnitOfWork else None
    graph = graph or PostgresGraphUnitOfWork
    ingest = IngestGraph(partial(graph, *identity_uow.args), FrozenClock(datetime.now(UTC)))
    await ingest.execute(scope, seed_batch())


# --- integrations ----------------------------------------------------------------------------
async def _seed_integrations(
    identity_uow: Callable[[Scope], IdentityUnitOfWork], scope: Scope
) -> None:
    """A connection (the vault's tokens hang off another) and a pending authorization."""
    from tests.factories.integrations import seed_connection, seed_pending

    await seed_connection(identity_uow, scope)
    await seed_pending(identity_uow, scope)
