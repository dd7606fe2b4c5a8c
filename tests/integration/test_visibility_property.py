"""Who sees what, as a property on PostgreSQL: random members, random personal and shared
sources, random share states (some set before the records arrive, some after); every graph
answer each member gets (activities, entities, one entity, export, process map) equals a
reference computed here from the sources that member may see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.clock import SystemClock
from adapters.postgres.graph_maps import PostgresProcessMaps
from adapters.postgres.graph_uow import PostgresGraphUnitOfWork
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.sync_uow import PostgresSyncUnitOfWork
from application.graph.export import ExportGraph, ExportHead
from application.graph.ports import ActivityFilter
from application.graph.process_map import GetProcessMap
from application.graph.queries import GetEntity, ListActivities, ListEntities
from application.graph.writer import GraphWriter
from application.shared.actor import Actor
from application.shared.scope import Scope
from application.sync.share_connection import ShareConnection
from domain.graph.errors import EntityNotFound
from domain.graph.model import (
    Activity,
    ActivityRecord,
    EntityRecord,
    GraphBatch,
    Identity,
    Link,
    ObjectLink,
    RecordIds,
    SourceRef,
)
from domain.graph.process_map import MapQuery, Window, build_traces, compute
from domain.identity.model import Role
from tests.factories.identity import seed_tenant_with_owner
from tests.factories.integrations import seed_connection

pytestmark = pytest.mark.integration

START = datetime(2026, 1, 5, tzinfo=UTC)
KINDS = ("gmail", "google_calendar", "hubspot")  # two personal, one the company's


@dataclass(frozen=True)
class Source:
    owner: int  # which member connected it
    provider: str
    shared: bool  # for a personal source: shared with the tenant in the end
    flipped: bool  # it was in the other state while its records arrived
    connection: str = ""

    @property
    def personal(self) -> bool:
        return self.provider != "hubspot"

    def visible_to(self, member: int) -> bool:
        return not self.personal or self.shared or self.owner == member


sources_strategy = st.lists(
    st.builds(
        Source,
        owner=st.integers(0, 2),
        provider=st.sampled_from(KINDS),
        shared=st.booleans(),
        flipped=st.booleans(),
    ),
    min_size=1,
    max_size=4,
)


def _batch(source: Source, n: int) -> GraphBatch:
    """A thread object per source, a person shared by every source (one email: they merge),
    and three activities on the thread."""
    scope = source.connection

    def ref(source_id: str) -> SourceRef:
        return SourceRef(provider=source.provider, scope=scope, source_id=source_id)

    person = EntityRecord(
        ref=ref("person"),
        type="person",
        name=f"Pat {n}",
        identities=(Identity(kind="email", value="pat@example.com"),),
    )
    thread = EntityRecord(ref=ref("thread"), type="thread", name=f"thread {n}")
    steps = ("opened", "answered", "closed")[: 1 + n % 3]
    activities = tuple(
        ActivityRecord(
            ref=ref(f"step-{k}"),
            type=step,
            occurred_at=START + timedelta(days=n, hours=k),
            actor=ref("person"),
            links=(Link(object=ref("thread")), Link(object=ref("person"), qualifier="with")),
        )
        for k, step in enumerate(steps)
    )
    return GraphBatch(entities=(person, thread), activities=activities)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(members=st.integers(1, 3), sources=sources_strategy)
async def test_every_answer_is_computed_over_what_the_member_may_see(
    members: int, sources: list[Source], sessions: Any
) -> None:
    identity_uow = partial(PostgresIdentityUnitOfWork, sessions)
    graph_uow: Callable[[Scope], Any] = partial(PostgresGraphUnitOfWork, sessions)
    tenant, people = await seed_tenant_with_owner(identity_uow, members=members - 1)
    scopes = [Scope(tenant_id=tenant.id, user_id=p.id) for p in people]
    sources = [s for s in sources if s.owner < members]
    share = ShareConnection(partial(PostgresSyncUnitOfWork, sessions))
    placed: list[Source] = []
    for n, source in enumerate(sources):
        scope = scopes[source.owner]
        connection = await seed_connection(identity_uow, scope, provider=source.provider)
        source = Source(**{**source.__dict__, "connection": str(connection)})
        while_written = source.shared != source.flipped
        if source.personal and while_written:
            await share.execute(scope, connection, shared=True)
        # As a sync writes: an unshared personal source's records are its owner's.
        private_to = scope.user_id if source.personal and not while_written else None
        async with graph_uow(scope) as uow:
            await GraphWriter(uow, tenant.id, SystemClock(), private_to=private_to).write(
                _batch(source, n)
            )
            await uow.commit()
        if source.personal and source.flipped:
            await share.execute(scope, connection, shared=source.shared)
        placed.append(source)

    maps = PostgresProcessMaps(sessions)
    for member, scope in enumerate(scopes):
        actor = Actor(
            tenant_id=tenant.id, user_id=scope.user_id, role=Role.OWNER, session_id=uuid4()
        )  # type: ignore[arg-type]
        seen = [s for s in placed if s.visible_to(member)]
        hidden = [s for s in placed if not s.visible_to(member)]
        expected = [(s, n) for n, s in enumerate(placed) if s in seen]
        await _check_member(actor, graph_uow, maps, expected=expected, hidden=hidden)


async def _check_member(
    actor: Actor,
    graph_uow: Callable[[Scope], Any],
    maps: PostgresProcessMaps,
    *,
    expected: list[tuple[Source, int]],
    hidden: list[Source],
) -> None:
    ids = RecordIds(actor.tenant_id)
    batches = [_batch(s, n) for s, n in expected]
    want_activities = {a.ref for b in batches for a in b.activities}
    want_threads = {ids.entity(b.entities[1].ref) for b in batches}

    page = await ListActivities(graph_uow).execute(actor, ActivityFilter(), cursor=None, limit=500)
    threads = await ListEntities(graph_uow).execute(
        actor, type="thread", search=None, cursor=None, limit=500
    )
    exported = [p async for p in ExportGraph(graph_uow).execute(actor, Window())]
    head = next(p for p in exported if isinstance(p, ExportHead))
    events = {a.ref for p in exported if not isinstance(p, ExportHead) for a in p}
    shown = await GetProcessMap(maps, graph_uow).execute(actor, MapQuery(object_type="thread"))
    people = await GetProcessMap(maps, graph_uow).execute(actor, MapQuery(object_type="person"))
    async with graph_uow(actor.scope) as uow:  # the clusters as stored, as this member sees them
        persons = [ids.entity(b.entities[0].ref) for b in batches]
        clusters = {i: e.canonical_id for i, e in (await uow.entities.get_many(persons)).items()}

    assert {a.ref for a in page.activities} == want_activities
    assert {e.id for e in threads.entities} == want_threads
    assert events == want_activities
    assert {e.ref.scope for e in head.entities} == {s.connection for s, _ in expected}
    assert shown.map == _reference_map(batches, ids, "thread", {})
    assert people.map == _reference_map(batches, ids, "person", clusters)  # shared + own merged
    for source in hidden:
        ref = SourceRef(provider=source.provider, scope=source.connection, source_id="thread")
        with pytest.raises(EntityNotFound):
            await GetEntity(graph_uow).execute(actor, ids.entity(ref))


def _reference_map(
    batches: list[GraphBatch], ids: RecordIds, kind: str, clusters: dict[Any, Any]
) -> Any:
    """The map by the domain's batch reference over exactly the visible activities."""
    activities = [
        Activity(
            id=ids.activity(a.ref),
            ref=a.ref,
            type=a.type,
            occurred_at=a.occurred_at,
            source_seq=a.source_seq,
            actor_id=ids.entity(a.actor) if a.actor else None,
            attributes={},
            objects=tuple(
                ObjectLink(entity_id=ids.entity(link.object), qualifier=link.qualifier)
                for link in a.links
            ),
            url=None,
        )
        for b in batches
        for a in b.activities
    ]
    types = {ids.entity(e.ref): e.type for b in batches for e in b.entities}
    traces = build_traces(activities, types, clusters, kind)
    query = MapQuery(object_type=kind)
    return compute({o: tuple(t) for o, t in traces.items()}, query, clusters)
