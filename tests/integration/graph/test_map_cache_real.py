"""The process-map cache on PostgreSQL: bounded by bytes, least recently used out first;
made-up object types are answered as before and evict nothing; columns are built and maps
computed off the event loop; and every statement names the tenant (and the member) itself,
so the maps are the same with row-level security bypassed."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.clock import SystemClock
from adapters.postgres import graph_maps
from adapters.postgres.engine import create_engine, session_factory
from adapters.postgres.graph_maps import PostgresProcessMaps
from adapters.postgres.graph_uow import PostgresGraphUnitOfWork
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.throwaway import ThrowawayDatabase
from application.graph.writer import GraphWriter
from application.shared.scope import Scope
from domain.graph.map_cases import CaseSelector
from domain.graph.model import ActivityRecord, EntityRecord, GraphBatch, Link, SourceRef
from domain.graph.process_map import MapQuery, compute
from domain.shared.ids import UserId
from tests.factories.identity import seed_tenant_with_owner
from tests.factories.integrations import seed_connection

pytestmark = pytest.mark.integration

START = datetime(2026, 3, 2, tzinfo=UTC)
STEPS = ("Open", "Review", "Fix", "Close")


def _batch(scope: str, object_type: str, objects: int, provider: str = "hubspot") -> GraphBatch:
    def ref(source_id: str) -> SourceRef:
        return SourceRef(provider=provider, scope=scope, source_id=source_id)

    names = [f"{object_type}-{n}" for n in range(objects)]
    return GraphBatch(
        entities=tuple(EntityRecord(ref=ref(n), type=object_type, name=n) for n in names),
        activities=tuple(
            ActivityRecord(ref=ref(f"{n}-{k}"), type=STEPS[(i + k) % len(STEPS)],
                           occurred_at=START + timedelta(hours=i + k), links=(Link(object=ref(n)),))
            for i, n in enumerate(names)
            for k in range(1 + i % 3)
        ),
    )  # fmt: skip


async def _write(sessions: Any, scope: Scope, batch: GraphBatch, private: bool = False) -> None:
    assert scope.tenant_id is not None
    owner = UserId(scope.user_id) if private and scope.user_id else None
    async with PostgresGraphUnitOfWork(sessions, scope) as uow:
        await GraphWriter(uow, scope.tenant_id, SystemClock(), private_to=owner).write(batch)
        await uow.commit()


async def _tenant(sessions: Any, types: dict[str, int]) -> tuple[Scope, Scope, str]:
    """A tenant with the types' objects shared; the owner and a colleague, and the owner's
    unshared mailbox connection."""
    identity = partial(PostgresIdentityUnitOfWork, sessions)
    tenant, (owner, colleague) = await seed_tenant_with_owner(identity, members=1)
    mine = Scope(tenant_id=tenant.id, user_id=owner.id)
    crm = str(await seed_connection(identity, mine, provider="hubspot"))
    mail = str(await seed_connection(identity, mine, provider="gmail"))
    for object_type, objects in types.items():
        await _write(sessions, mine, _batch(crm, object_type, objects))
    return mine, Scope(tenant_id=tenant.id, user_id=colleague.id), mail


async def test_made_up_object_types_are_answered_as_before_and_evict_nothing(
    sessions: Any,
) -> None:
    mine, _, _ = await _tenant(sessions, {"deal": 30})
    maps = PostgresProcessMaps(sessions)
    deals = await maps.compute(mine, MapQuery(object_type="deal"))
    entries, used = len(maps.cache), maps.cache.used

    answers = [await maps.compute(mine, MapQuery(object_type=f"made-up-{n}")) for n in range(100)]

    assert deals.objects == 30
    assert answers == [compute({}, MapQuery(object_type=f"made-up-{n}")) for n in range(100)]
    assert (len(maps.cache), maps.cache.used) == (entries, used)
    assert await maps.compute(mine, MapQuery(object_type="deal")) == deals


async def test_the_budget_evicts_the_least_recently_used_and_is_never_exceeded(
    sessions: Any,
) -> None:
    mine, _, _ = await _tenant(sessions, {"deal": 40, "ticket": 40, "lead": 40})
    queries = {t: MapQuery(object_type=t) for t in ("deal", "ticket", "lead")}
    roomy = PostgresProcessMaps(sessions)
    expected = {t: await roomy.compute(mine, q) for t, q in queries.items()}
    sizes = {t: roomy.cache.get((mine.tenant_id, None, t)).nbytes for t in queries}  # type: ignore[union-attr]
    budget = sum(sizes.values()) - 1  # room for two of the three logs, not all three
    maps = PostgresProcessMaps(sessions, budget=budget)
    served = {}

    for object_type in ("deal", "ticket", "deal", "lead"):  # ticket is then the oldest
        served[object_type] = await maps.compute(mine, queries[object_type])
        assert maps.cache.used <= budget

    assert served == expected
    kept = {t for t in queries if (mine.tenant_id, None, t) in maps.cache}
    assert kept == {"deal", "lead"}


async def test_a_log_over_the_budget_is_answered_not_kept_and_sheds_its_blobs_first(
    sessions: Any,
) -> None:
    mine, _, _ = await _tenant(sessions, {"deal": 50})
    crm = str(await seed_connection(partial(PostgresIdentityUnitOfWork, sessions), mine))
    query, key = MapQuery(object_type="deal"), (mine.tenant_id, None, "deal")
    roomy = PostgresProcessMaps(sessions)
    expected = await roomy.compute(mine, query)
    whole = roomy.cache.get(key)
    assert whole is not None
    tiny = PostgresProcessMaps(sessions, budget=100)
    lean = PostgresProcessMaps(sessions, budget=whole.nbytes - whole.blob_bytes + 4096)

    assert await tiny.compute(mine, query) == expected
    assert await lean.compute(mine, query) == expected
    assert len(tiny.cache) == 0
    shed = lean.cache.get(key)
    assert shed is not None
    assert shed.blobs is None
    assert lean.cache.used <= lean.cache.budget
    # A later revision is read whole again (no blobs to patch), and is still right.
    await _write(sessions, mine, _batch(crm, "deal", 5))
    assert await lean.compute(mine, query) == await roomy.compute(mine, query)
    assert (await lean.compute(mine, query)).objects == 55


async def test_columns_are_built_and_maps_computed_off_the_event_loop(
    sessions: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, _, _ = await _tenant(sessions, {"deal": 20})
    ran: dict[str, set[int]] = {"built": set(), "compute": set(), "cases": set()}

    def recorded(name: str, work: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any) -> Any:
            ran[name].add(threading.get_ident())
            return work(*args)

        return run

    for name in ran:
        monkeypatch.setattr(graph_maps, name, recorded(name, getattr(graph_maps, name)))
    maps = PostgresProcessMaps(sessions)
    query = MapQuery(object_type="deal")

    served = await maps.compute(mine, query)
    page = await maps.cases(mine, query, CaseSelector(activity="Open"), 5)

    assert served.objects == 20
    assert page.total > 0
    assert all(ran.values())
    assert threading.get_ident() not in set().union(*ran.values())


@pytest.fixture
async def bypassing_sessions(
    database: ThrowawayDatabase,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions as the read-only BYPASSRLS backup role: row security filters nothing."""
    engine = create_engine(database.backup, pool_size=2, max_overflow=0)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


async def test_every_statement_names_the_tenant_and_the_member(
    sessions: Any, bypassing_sessions: Any
) -> None:
    mine, colleague, mail = await _tenant(sessions, {"deal": 12})
    await _write(sessions, mine, _batch(mail, "deal", 4, provider="gmail"), private=True)
    other, other_colleague, other_mail = await _tenant(sessions, {"deal": 7, "ticket": 3})
    await _write(sessions, other, _batch(other_mail, "deal", 9, provider="gmail"), private=True)
    guarded, bare = PostgresProcessMaps(sessions), PostgresProcessMaps(bypassing_sessions)
    query, opened = MapQuery(object_type="deal"), CaseSelector(activity="Open")

    for scope in (mine, colleague, other, other_colleague):
        assert await bare.compute(scope, query) == await guarded.compute(scope, query)
        assert await bare.cases(scope, query, opened, 50) == await guarded.cases(
            scope, query, opened, 50
        )
        assert await bare.object_types(scope) == await guarded.object_types(scope)
    assert (await bare.compute(mine, query)).objects == 16
    assert (await bare.compute(colleague, query)).objects == 12
    assert (await bare.compute(other_colleague, query)).objects == 7
