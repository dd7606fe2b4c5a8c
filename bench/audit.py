"""The audit trail (issue 13): what an append costs, and how fast ``atlas audit verify`` reads.

On a throwaway cluster, as the app role: appends of one event per transaction (an empty
transaction's cost beside it, so the audit share shows), appends of 10 events per transaction,
and 8 concurrent writers in one tenant (they queue on the tenant's head row). Then the whole
chain verified through the same reader as the command.
"""

from __future__ import annotations

import asyncio
import time
from functools import partial

from adapters.postgres.audit_trail import PostgresAuditChains
from adapters.postgres.engine import create_engine, session_factory
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.throwaway import start_throwaway_database
from adapters.postgres.uow import PostgresUnitOfWork
from application.compliance.verify_audit import VerifyAuditTrail
from application.shared.scope import Scope
from bench.stats import line, median, percentile
from domain.compliance.audit import AuditAction, AuditEntry
from tests.factories.identity import seed_tenant_with_owner

SINGLES = 2000
BATCHES = 200
CONCURRENT = 8
EACH = 250


def _entry(n: int) -> AuditEntry:
    return AuditEntry(
        action=AuditAction.SYNC_REQUESTED, target_type="connection", target_id=f"c-{n}",
        details={"run": f"r-{n}"},
    )  # fmt: skip


async def _transactions(sessions: object, scope: Scope, count: int, size: int) -> list[float]:
    took = []
    for n in range(count):
        started = time.perf_counter()
        async with PostgresUnitOfWork(sessions, scope) as uow:  # type: ignore[arg-type]
            for k in range(size):
                uow.audit.record(_entry(n * size + k))
            await uow.commit()
        took.append(time.perf_counter() - started)
    return took


async def run() -> dict[str, float]:
    print(f"Audit trail: appends and verification ({SINGLES:,} + batches + concurrent writers)")
    db = await start_throwaway_database()
    engine = create_engine(db.app, pool_size=CONCURRENT, max_overflow=0)
    try:
        sessions = session_factory(engine)
        tenant, (owner,) = await seed_tenant_with_owner(
            partial(PostgresIdentityUnitOfWork, sessions)
        )
        scope = Scope(tenant_id=tenant.id, user_id=owner.id)
        return await _measure(sessions, scope)
    finally:
        await engine.dispose()
        db.cluster.destroy()


async def _measure(sessions: object, scope: Scope) -> dict[str, float]:
    empty = await _transactions(sessions, scope, SINGLES, 0)
    single = await _transactions(sessions, scope, SINGLES, 1)
    batch = await _transactions(sessions, scope, BATCHES, 10)
    started = time.perf_counter()
    await asyncio.gather(*(_transactions(sessions, scope, EACH, 1) for _ in range(CONCURRENT)))
    concurrent = time.perf_counter() - started
    line("empty transaction (median / p95)", _ms(empty))
    line("1 event per transaction (median / p95)", _ms(single))
    line("audit share of a 1-event commit (median)",
         f"{(median(single) - median(empty)) * 1000:.2f} ms")  # fmt: skip
    line("10 events per transaction, per event (median)", f"{median(batch) / 10 * 1000:.3f} ms")
    rate = CONCURRENT * EACH / concurrent
    line(f"{CONCURRENT} writers in one tenant", f"{rate:,.0f} events/s")
    verifier = VerifyAuditTrail(PostgresAuditChains(sessions))  # type: ignore[arg-type]
    assert scope.tenant_id is not None
    started = time.perf_counter()
    (report,) = await verifier.execute(scope.tenant_id)
    took = time.perf_counter() - started
    assert report.broken is None
    line(f"audit verify ({report.verified:,} events)", f"{report.verified / took:,.0f} events/s")
    return {
        "append_ms": (median(single) - median(empty)) * 1000,
        "verify_per_s": report.verified / took,
    }


def _ms(values: list[float]) -> str:
    return f"{median(values) * 1000:.2f} / {percentile(values, 95) * 1000:.2f} ms"
