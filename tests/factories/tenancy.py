"""Seed every tenant table for a tenant, so isolation tests cover each table the schema has.

When a migration adds a tenant table, extend ``seed_tenant``: the isolation test fails while any
tenant table is left without rows for the tenants it generates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

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
    connection = await _seed_integrations(identity_uow, seeded.owner_scope)
    await _seed_sync(identity_uow, seeded.owner_scope, connection)
    await _seed_originals(identity_uow, seeded.owner_scope, connection)
    await _seed_audit(identity_uow, seeded.owner_scope)
    await _seed_imports(identity_uow, seeded.owner_scope)
    return seeded


async def _seed_audit(identity_uow: Callable[[Scope], IdentityUnitOfWork], scope: Scope) -> None:
    """The audit trail and its head: one recorded event."""
    from domain.compliance.audit import AuditAction, AuditEntry

    async with identity_uow(scope) as uow:
        uow.audit.record(AuditEntry(action=AuditAction.SYNC_REQUESTED, target_type="connection"))
        await uow.commit()


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
) -> UUID:
    """A connection (the vault's tokens hang off another) and a pending authorization."""
    from tests.factories.integrations import seed_connection, seed_pending

    connection = await seed_connection(identity_uow, scope)
    await seed_pending(identity_uow, scope)
    return connection


# --- sync ------------------------------------------------------------------------------------
async def _seed_sync(
    identity_uow: Callable[[Scope], IdentityUnitOfWork], scope: Scope, connection: UUID
) -> None:
    """A schedule, a run with a stream's progress, a checkpoint."""
    from functools import partial

    from adapters.fakes.identity import FakeIdentityUnitOfWork
    from adapters.fakes.sync import FakeSyncUnitOfWork
    from adapters.postgres.sync_uow import PostgresSyncUnitOfWork
    from application.sync.ports import Checkpoint
    from domain.shared.ids import new_id
    from domain.sync.run import PageCounts, RunTrigger, SyncRun
    from tests.factories.integrations import WHEN

    assert isinstance(identity_uow, partial)
    assert scope.tenant_id is not None
    assert scope.user_id is not None
    kind = FakeSyncUnitOfWork if identity_uow.func is FakeIdentityUnitOfWork else None
    run = SyncRun.requested(
        id=new_id(), tenant_id=scope.tenant_id, user_id=scope.user_id, connection_id=connection,
        provider="hubspot", trigger=RunTrigger.SCHEDULE, at=WHEN,
    )  # fmt: skip
    async with (kind or PostgresSyncUnitOfWork)(*identity_uow.args, scope) as uow:
        await uow.schedules.take_over(connection)
        await uow.runs.add(run)
        await uow.runs.record_page(run.id, "deals", PageCounts(fetched=1, new=1), WHEN)
        checkpoint = Checkpoint(stream="deals", cursor=b"{}", position=WHEN, updated_at=WHEN)
        await uow.checkpoints.save(connection, checkpoint)
        await uow.commit()


# --- originals on demand ---------------------------------------------------------------------
async def _seed_originals(
    identity_uow: Callable[[Scope], IdentityUnitOfWork], scope: Scope, connection: UUID
) -> None:
    """One audited retrieval (the reference only)."""
    from functools import partial

    from adapters.fakes.identity import FakeIdentityUnitOfWork
    from adapters.fakes.originals import FakeOriginalsUnitOfWork
    from adapters.postgres.originals import PostgresOriginalsUnitOfWork
    from domain.graph.model import SourceRef
    from domain.graph.originals import Retrieval, RetrievalOutcome
    from domain.shared.ids import new_id
    from tests.factories.integrations import WHEN

    assert isinstance(identity_uow, partial)
    assert scope.tenant_id is not None
    assert scope.user_id is not None
    kind = FakeOriginalsUnitOfWork if identity_uow.func is FakeIdentityUnitOfWork else None
    ref = SourceRef(provider="hubspot", scope=str(connection), source_id="deal:1")
    retrieval = Retrieval(
        id=new_id(), tenant_id=scope.tenant_id, user_id=scope.user_id, record_kind="entity",
        record_id=new_id(), ref=ref, outcome=RetrievalOutcome.OK, retrieved_at=WHEN,
    )  # fmt: skip
    async with (kind or PostgresOriginalsUnitOfWork)(*identity_uow.args, scope) as uow:
        await uow.retrievals.add(retrieval)
        await uow.commit()


# --- imports as jobs -------------------------------------------------------------------------
async def _seed_imports(identity_uow: Callable[[Scope], IdentityUnitOfWork], scope: Scope) -> None:
    """A requested import with its stored upload (one part); not queued."""
    import hashlib
    from collections.abc import AsyncIterator
    from functools import partial

    from adapters.fakes.identity import FakeIdentityUnitOfWork
    from adapters.fakes.imports import FakeImportQueue, FakeImportsUnitOfWork
    from adapters.postgres.imports import PostgresImportsUnitOfWork
    from application.graph.import_jobs import ImportRecord
    from domain.identity.model import Role
    from domain.shared.ids import new_id
    from tests.factories.integrations import WHEN

    assert isinstance(identity_uow, partial)
    assert scope.user_id is not None
    body = b'{"objectTypes": []}'
    record = ImportRecord(
        id=new_id(), state="queued", file_name="log.json", object_type="case", bytes=len(body),
        sha256=hashlib.sha256(body).hexdigest(), requested_by=scope.user_id, role=Role.OWNER,
        requested_at=WHEN, updated_at=WHEN,
    )  # fmt: skip

    async def parts() -> AsyncIterator[bytes]:
        yield body

    fake = identity_uow.func is FakeIdentityUnitOfWork
    store = identity_uow.args[0]
    uow = (
        FakeImportsUnitOfWork(store, FakeImportQueue(store), scope)
        if fake
        else PostgresImportsUnitOfWork(store, scope)
    )
    async with uow:
        assert await uow.imports.add(record, parts())
        await uow.commit()
