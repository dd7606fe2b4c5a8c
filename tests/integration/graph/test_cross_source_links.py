"""An activity linked to a person whose cluster another record leads files in its sequence."""

from __future__ import annotations

from adapters.fakes.clock import FrozenClock
from application.graph.ingest import IngestGraph
from application.shared.actor import Actor
from domain.graph.model import EntityRecord, GraphBatch, Identity, Link
from tests.factories.graph import T0, create_activity, ref
from tests.integration.graph.conftest import Graph


async def _ingest(graph: Graph, actor: Actor, batch: GraphBatch) -> None:
    await IngestGraph(graph.uow_for, FrozenClock(at=T0)).execute(actor.scope, batch)


async def test_an_activity_of_a_person_led_by_another_sources_record(graph: Graph) -> None:
    actor = await graph.actor()
    email = Identity(kind="email", value="ada@example.com")
    helpdesk = EntityRecord(ref=ref("user:1", scope="helpdesk"), type="person", identities=(email,))
    tracker = EntityRecord(ref=ref("user:a1", scope="tracker"), type="person", identities=(email,))
    issue = EntityRecord(ref=ref("issue:7", scope="tracker"), type="issue", name="ENG-7")
    await _ingest(graph, actor, GraphBatch(entities=(helpdesk, tracker, issue)))
    async with graph.uow_for(actor.scope) as uow:
        people = [e for e in await uow.entities.all() if e.type == "person"]
    leader = people[0].canonical_id
    follower = next(p for p in people if p.id != leader)  # the cluster's other record
    assigned = create_activity(
        type="Issue assigned",
        links=(
            Link(object=issue.ref, qualifier="issue"),
            Link(object=follower.ref, qualifier="to"),
        ),
    )

    await _ingest(graph, actor, GraphBatch(activities=(assigned,)))

    async with graph.uow_for(actor.scope) as uow:
        sequences = await uow.sequences.get_many([leader])
    assert {p.canonical_id for p in people} == {leader}
    assert [o.type for o in sequences[leader]] == ["Issue assigned"]
