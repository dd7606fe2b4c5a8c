"""Purging a source scope behaves alike on the fakes and on PostgreSQL: as if it never came."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

import msgspec

from adapters.fakes.graph import FakeGraphUnitOfWork
from adapters.fakes.graph_purge import FakeGraphPurgeUnitOfWork
from adapters.postgres.graph_purge import PostgresGraphPurgeUnitOfWork
from application.graph.purge_scope import PurgeSourceScope, PurgeSummary
from application.shared.scope import Scope
from domain.graph.model import GraphBatch, Identity, Link, RelationshipRecord, SourceRef
from domain.graph.process_map import MapQuery
from tests.factories.graph import T0, create_activity, create_entity, ref
from tests.factories.graph_harness import Graph

KEPT, GONE = "import-1", "connection-1"


def purge_uow_for(g: Graph) -> Any:
    """The harness's graph unit of work, in its purge flavour (fake or PostgreSQL)."""
    uow = g.uow_for
    assert isinstance(uow, partial)
    kind = FakeGraphPurgeUnitOfWork if uow.func is FakeGraphUnitOfWork else None
    return partial(kind or PostgresGraphPurgeUnitOfWork, *uow.args)


def purge(g: Graph) -> PurgeSourceScope:
    return PurgeSourceScope(purge_uow_for(g))


def _person(source_id: str, scope: str, *keys: Identity) -> Any:
    return create_entity(ref=ref(source_id, scope=scope), type="person", identities=keys)


def _email(value: str) -> Identity:
    return Identity(kind="email", value=value)


def _user(value: str) -> Identity:
    return Identity(kind="user", value=value)


def kept_batch() -> GraphBatch:
    ann, carl = (
        _person("ann", KEPT, _email("ann@example.com")),
        _person("carl", KEPT, _user("crm:9")),
    )
    case = create_entity(ref=ref("case-1", scope=KEPT), type="case")
    opened = create_activity(
        ref=ref("k-1", scope=KEPT), type="Open", actor=ann.ref, links=(Link(object=case.ref),)
    )
    return GraphBatch(entities=(ann, carl, case), activities=(opened,))


def gone_batch() -> GraphBatch:
    """Its people bridge ann and carl into one person; it acts on a kept case."""
    rep = _person("rep-1", GONE, _email("ann@example.com"), _user("crm:7"))
    other = _person("rep-2", GONE, _user("crm:7"), _user("crm:9"))
    deal = create_entity(ref=ref("deal-1", scope=GONE), type="case")
    case = ref("case-1", scope=KEPT)
    fixed = create_activity(
        ref=ref("g-1", scope=GONE),
        type="Fix",
        actor=rep.ref,
        occurred_at=T0 + timedelta(hours=1),
        links=(Link(object=case),),
    )
    won = create_activity(ref=ref("g-2", scope=GONE), type="Won", links=(Link(object=deal.ref),))
    about = RelationshipRecord(source=deal.ref, target=case, qualifier="about")
    return GraphBatch(entities=(rep, other, deal), relationships=(about,), activities=(fixed, won))


async def normalised(g: Graph, scope: Scope) -> Any:
    """The graph with ids replaced by source references, so two tenants compare."""
    entities, activities, relationships, sequences = await g.state(scope)
    by_id: dict[Any, SourceRef] = {e.id: e.ref for e in entities}
    return (
        sorted((e.ref.key(), e.type, by_id[e.canonical_id].key()) for e in entities),
        sorted((a.ref.key(), a.type, a.occurred_at, by_id[a.actor_id].key() if a.actor_id else "",
                tuple(sorted(by_id[o.entity_id].key() for o in a.objects))) for a in activities),
        sorted((by_id[r.source_id].key(), by_id[r.target_id].key()) for r in relationships),
        sorted((by_id[o].key(), len(t)) for o, t in sequences.items() if t),
    )  # fmt: skip


async def test_purging_a_scope_leaves_the_graph_as_if_it_had_never_come(graph: Graph) -> None:
    purged_world, never_world = await graph.tenant(), await graph.tenant()
    ingest = graph.ingest()
    await ingest.execute(purged_world, kept_batch())
    await ingest.execute(purged_world, gone_batch())
    await ingest.execute(never_world, kept_batch())
    query = MapQuery(object_type="case")
    await graph.maps.compute(purged_world, query)  # a cached map must not survive the purge
    before = [e for e in (await graph.state(purged_world))[0] if e.type == "person"]
    assert len({p.canonical_id for p in before}) == 1  # four records, one person

    summary = await purge(graph).execute(purged_world, GONE)

    assert summary == PurgeSummary(entities=3, activities=2, rewritten=0)
    people = [e for e in (await graph.state(purged_world))[0] if e.type == "person"]
    assert all(p.canonical_id == p.id for p in people)  # ann and carl: apart again
    assert await normalised(graph, purged_world) == await normalised(graph, never_world)
    served, reference = (
        await graph.maps.compute(purged_world, query),
        await graph.maps.compute(never_world, query),
    )
    assert msgspec.structs.replace(served, handoffs=()) == msgspec.structs.replace(
        reference, handoffs=()
    )


async def test_other_scopes_activities_lose_their_links_to_purged_records(graph: Graph) -> None:
    world = await graph.tenant()
    ingest = graph.ingest()
    await ingest.execute(world, kept_batch())
    rep = _person("rep-1", GONE)
    await ingest.execute(world, GraphBatch(entities=(rep,)))
    case = ref("case-1", scope=KEPT)
    pointing = create_activity(
        ref=ref("k-2", scope=KEPT),
        type="Close",
        actor=rep.ref,
        occurred_at=T0 + timedelta(hours=2),
        links=(Link(object=case), Link(object=rep.ref)),
    )
    await ingest.execute(world, GraphBatch(activities=(pointing,)))

    summary = await purge(graph).execute(world, GONE)
    entities, activities, _, sequences = await graph.state(world)
    again = await purge(graph).execute(world, GONE)

    closed = next(a for a in activities if a.ref.source_id == "k-2")
    case_id = next(e.id for e in entities if e.ref == case)
    assert summary == PurgeSummary(entities=1, activities=0, rewritten=1)
    assert closed.actor_id is None
    assert [o.entity_id for o in closed.objects] == [case_id]
    assert [o.type for o in sequences[case_id]] == ["Open", "Close"]
    assert again == PurgeSummary()  # nothing left to purge: idempotent


async def test_activities_are_found_by_source_id_prefix_exactly(graph: Graph) -> None:
    world = await graph.tenant()
    held = ("msg:C1:1.0", "msg:C1:2.0", "msg:C1%:3.0", "msg:C1_:4.0", "msg:Cé:5.0", "msg:Cê:6.0")
    other = create_activity(ref=ref("msg:C1:9.0", scope=KEPT), type="Message posted")
    activities = tuple(
        create_activity(ref=ref(source_id, scope=GONE), type="Message posted") for source_id in held
    )
    await graph.ingest().execute(world, GraphBatch(activities=(*activities, other)))

    async with purge_uow_for(graph)(world) as uow:
        found = {
            prefix: await uow.scoped.activity_source_ids(GONE, prefix=prefix)
            for prefix in ("msg:C1:", "msg:C1%", "msg:C1_", "msg:Cé:", "msg:C", "", "msg:D")
        }

    assert found["msg:C1:"] == {"msg:C1:1.0", "msg:C1:2.0"}  # not the other scope's 9.0
    assert found["msg:C1%"] == {"msg:C1%:3.0"}  # % and _ are characters, not patterns
    assert found["msg:C1_"] == {"msg:C1_:4.0"}
    assert found["msg:Cé:"] == {"msg:Cé:5.0"}  # the bound past é is ê's: not included
    assert found["msg:C"] == found[""] == set(held)
    assert found["msg:D"] == set()
