"""The audit trail on PostgreSQL: written with its transaction, one chain per tenant under
concurrent writers, append-only for the app role, and tampering as the owner is caught."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import asyncpg
import pytest

from adapters.postgres.audit_trail import PostgresAuditChains
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.throwaway import ThrowawayDatabase
from adapters.postgres.uow import PostgresUnitOfWork
from application.compliance.verify_audit import ChainReport, VerifyAuditTrail
from application.shared.request_context import RequestContext, in_request
from application.shared.scope import Scope
from domain.compliance.audit import AuditAction, AuditEntry, Outcome
from domain.identity.model import Tenant
from domain.shared.ids import TenantId
from tests.factories.identity import seed_tenant_with_owner

pytestmark = pytest.mark.integration


def _entry(n: int) -> AuditEntry:
    return AuditEntry(
        action=AuditAction.MEMBER_ROLE_CHANGED, target_type="member", target_id=f"m-{n}",
        details={"n": str(n)},
    )  # fmt: skip


async def _record(sessions: Any, scope: Scope, *entries: AuditEntry, commit: bool = True) -> None:
    async with PostgresUnitOfWork(sessions, scope) as uow:
        for entry in entries:
            uow.audit.record(entry)
        if commit:
            await uow.commit()


async def _verify(sessions: Any, tenant: TenantId) -> ChainReport:
    (report,) = await VerifyAuditTrail(PostgresAuditChains(sessions), batch=3).execute(tenant)
    return report


@pytest.fixture
async def chain(sessions: Any) -> tuple[Tenant, Scope]:
    tenant, (owner,) = await seed_tenant_with_owner(partial(PostgresIdentityUnitOfWork, sessions))
    scope = Scope(tenant_id=tenant.id, user_id=owner.id)
    with in_request(RequestContext(request_id="req-1", address="203.0.113.9")):
        for n in range(1, 6):
            await _record(sessions, scope, _entry(n))
    return tenant, scope


@pytest.fixture
async def owner_tx(database: ThrowawayDatabase) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(**database.owner.asyncpg_kwargs())
    try:
        yield conn
    finally:
        await conn.close()


async def _tamper(conn: asyncpg.Connection, tenant: Tenant, *statements: str) -> None:
    """As the owner, bypassing the app: the trigger off for this transaction only."""
    async with conn.transaction():
        await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant.id))
        await conn.execute(
            "ALTER TABLE atlas.audit_events DISABLE TRIGGER audit_events_append_only"
        )
        for statement in statements:
            await conn.execute(statement)
        await conn.execute("ALTER TABLE atlas.audit_events ENABLE TRIGGER audit_events_append_only")


async def test_what_is_recorded_is_stored_with_who_where_and_the_chain(
    sessions: Any, chain: tuple[Tenant, Scope]
) -> None:
    tenant, scope = chain

    links = await PostgresAuditChains(sessions).links(tenant.id, 0, 100)
    report = await _verify(sessions, tenant.id)

    assert [r.seq for r in links] == [1, 2, 3, 4, 5]
    assert {(r.actor_type, r.actor_id, r.request_id, r.address.value) for r in links} == {
        ("user", str(scope.user_id), "req-1", "203.0.113.9")
    }
    assert links[0].details == {"n": "1"}
    assert links[0].outcome == Outcome.SUCCESS
    assert report == ChainReport(tenant_id=tenant.id, verified=5, broken=None)


async def test_a_rolled_back_transaction_leaves_no_audit_row(
    sessions: Any, chain: tuple[Tenant, Scope]
) -> None:
    tenant, scope = chain

    await _record(sessions, scope, _entry(6), _entry(7), commit=False)
    await _record(sessions, scope, _entry(8))

    links = await PostgresAuditChains(sessions).links(tenant.id, 0, 100)
    assert [r.target_id for r in links][-1] == "m-8"
    assert [r.seq for r in links] == [1, 2, 3, 4, 5, 6]
    assert (await _verify(sessions, tenant.id)).broken is None


async def test_concurrent_appends_in_one_tenant_stay_one_unbroken_chain(sessions: Any) -> None:
    tenant, (owner,) = await seed_tenant_with_owner(partial(PostgresIdentityUnitOfWork, sessions))
    scope = Scope(tenant_id=tenant.id, user_id=owner.id)

    await asyncio.gather(
        *(_record(sessions, scope, _entry(n), _entry(n + 100), commit=n % 5 != 0)
          for n in range(30))
    )  # fmt: skip

    report = await _verify(sessions, tenant.id)
    assert report == ChainReport(tenant_id=tenant.id, verified=48, broken=None)


async def test_the_app_role_cannot_update_delete_or_truncate_audit_rows(
    database: ThrowawayDatabase, chain: tuple[Tenant, Scope]
) -> None:
    tenant, _ = chain
    conn = await asyncpg.connect(**database.app.asyncpg_kwargs())
    try:
        for statement in (
            "UPDATE atlas.audit_events SET outcome = 'failure'",
            "DELETE FROM atlas.audit_events",
            "TRUNCATE atlas.audit_events",
            "DELETE FROM atlas.audit_heads",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                async with conn.transaction():
                    await conn.execute(
                        "SELECT set_config('app.tenant_id', $1, true)", str(tenant.id)
                    )
                    await conn.execute(statement)
    finally:
        await conn.close()


async def test_the_trigger_refuses_even_the_owner(
    owner_tx: asyncpg.Connection, chain: tuple[Tenant, Scope]
) -> None:
    tenant, _ = chain
    for statement in (
        "UPDATE atlas.audit_events SET outcome = 'failure'",
        "DELETE FROM atlas.audit_events",
        "TRUNCATE atlas.audit_events",
    ):
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            async with owner_tx.transaction():
                await owner_tx.execute(
                    "SELECT set_config('app.tenant_id', $1, true)", str(tenant.id)
                )
                await owner_tx.execute(statement)


@pytest.mark.parametrize(
    ("statements", "seq"),
    [
        (['UPDATE atlas.audit_events SET details = \'{"n": "9"}\' WHERE seq = 3'], 3),
        (["UPDATE atlas.audit_events SET address = '198.51.100.1' WHERE seq = 5"], 5),
        (["UPDATE atlas.audit_events SET at = at + interval '1 microsecond' WHERE seq = 1"], 1),
        (["DELETE FROM atlas.audit_events WHERE seq = 2"], 2),
        (["DELETE FROM atlas.audit_events WHERE seq = 5"], 5),
        (
            [
                "UPDATE atlas.audit_events SET seq = 1000 WHERE seq = 2",
                "UPDATE atlas.audit_events SET seq = 2 WHERE seq = 4",
                "UPDATE atlas.audit_events SET seq = 4 WHERE seq = 1000",
            ],
            2,
        ),
        (["DELETE FROM atlas.audit_heads"], 1),
        (
            [
                "UPDATE atlas.audit_heads SET last_seq = 3, last_hash = (SELECT hash FROM "
                "atlas.audit_events e WHERE e.seq = 3 AND e.tenant_id = audit_heads.tenant_id)"
            ],
            4,
        ),
    ],
    ids=[
        "details",
        "address",
        "time",
        "deleted",
        "deleted-last",
        "reordered",
        "head-deleted",
        "head-moved-back",
    ],
)
async def test_tampering_as_the_owner_breaks_verification_at_exactly_that_row(
    sessions: Any,
    owner_tx: asyncpg.Connection,
    chain: tuple[Tenant, Scope],
    statements: list[str],
    seq: int,
) -> None:
    tenant, _ = chain

    await _tamper(owner_tx, tenant, *statements)

    report = await _verify(sessions, tenant.id)
    assert report.broken is not None
    assert report.broken.seq == seq
    assert report.verified == seq - 1


async def test_a_tenant_purge_may_remove_its_audit_rows_and_nothing_else_may(
    owner_tx: asyncpg.Connection, chain: tuple[Tenant, Scope]
) -> None:
    tenant, scope = chain
    delete_tenant = "DELETE FROM atlas.tenants WHERE tenant_id = $1"
    async with owner_tx.transaction():  # past its grace, so the tenant row itself may go
        await owner_tx.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant.id))
        await owner_tx.execute(
            "UPDATE atlas.tenants SET deletion_requested_at = now() - interval '31 days', "
            "deletion_requested_by = $2, purge_after = now() - interval '1 day' "
            "WHERE tenant_id = $1",
            tenant.id,
            scope.user_id,
        )

    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
        async with owner_tx.transaction():
            await owner_tx.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant.id))
            await owner_tx.execute(delete_tenant, tenant.id)
    async with owner_tx.transaction():
        await owner_tx.execute(
            "SELECT set_config('app.tenant_id', $1, true), "
            "set_config('atlas.purging_tenant', $1, true)",
            str(tenant.id),
        )
        await owner_tx.execute(delete_tenant, tenant.id)
        left = await owner_tx.fetchval("SELECT count(*) FROM atlas.audit_events")

    assert left == 0
