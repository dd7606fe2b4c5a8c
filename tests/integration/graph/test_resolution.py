"""One person across sources, one company across sources; merges are recorded and reversible."""

from __future__ import annotations

from datetime import timedelta

from adapters.fakes.clock import FrozenClock
from application.graph.ingest import IngestGraph
from application.graph.undo_merge import UndoMerge
from application.shared.actor import Actor
from domain.graph.model import ActivityId, EntityRecord, GraphBatch, Identity, Link, record_id
from domain.graph.process_map import MapQuery
from tests.factories.graph import T0, create_activity, create_entity, ref
from tests.integration.graph.conftest import Graph


def person(source: str, scope: str, *keys: Identity) -> EntityRecord:
    return EntityRecord(ref=ref(source, scope=scope), type="person", name=source, identities=keys)


def email(value: str) -> Identity:
    return Identity(kind="email", value=value)


async def _ingest(graph: Graph, actor: Actor, batch: GraphBatch) -> None:
    await IngestGraph(graph.uow_for, FrozenClock(at=T0)).execute(actor.scope, batch)


async def _canonical(graph: Graph, actor: Actor, *records: EntityRecord) -> list[object]:
    async with graph.uow_for(actor.scope) as uow:
        everyone = {e.ref: e.canonical_id for e in await uow.entities.all()}
    return [everyone[r.ref] for r in records]


async def test_a_person_is_one_entity_across_sources_whatever_the_order(graph: Graph) -> None:
    first, second = await graph.actor(), await graph.actor()
    crm = person("ada", "crm", email(" Ada@Example.com "))
    chat = person(
        "U42", "slack", email("ada@example.com"), Identity(kind="user", value="slack:U42")
    )
    calendar = person("ada-cal", "gcal", Identity(kind="user", value="Slack:U42"))
    other = person("bob", "crm", email("bob@example.com"))

    await _ingest(graph, first, GraphBatch(entities=(crm, chat, calendar, other)))
    for record in (calendar, other, chat, crm):
        await _ingest(graph, second, GraphBatch(entities=(record,)))

    ones = await _canonical(graph, first, crm, chat, calendar, other)
    twos = await _canonical(graph, second, crm, chat, calendar, other)
    assert len(set(ones[:3])) == 1
    assert ones[3] != ones[0]
    assert [ones.index(c) for c in ones] == [twos.index(c) for c in twos]
    async with graph.uow_for(first.scope) as uow:
        listed = await uow.entities.page(type="person", search="ADA@", after=None, limit=10)
    assert [e.id for e in listed] == [ones[0]]


async def test_companies_resolve_by_domain_and_account_but_not_public_mail(graph: Graph) -> None:
    actor = await graph.actor()

    def company(source: str, *keys: Identity) -> EntityRecord:
        return EntityRecord(ref=ref(source), type="company", identities=keys)

    acme = company("acme", Identity(kind="domain", value="Acme.com"))
    www = company("acme-site", Identity(kind="domain", value="www.acme.com"))
    crm = company("acme-crm", Identity(kind="account", value="hubspot:77"))
    again = company("acme-2", Identity(kind="account", value="HubSpot:77"))
    gmail_a = company("g1", Identity(kind="domain", value="gmail.com"))
    gmail_b = company("g2", Identity(kind="domain", value="gmail.com"))

    await _ingest(graph, actor, GraphBatch(entities=(acme, www, crm, again, gmail_a, gmail_b)))

    a, w, c, c2, g1, g2 = await _canonical(graph, actor, acme, www, crm, again, gmail_a, gmail_b)
    assert (a, c) == (w, c2)
    assert a != c
    assert g1 != g2


async def test_an_undone_merge_splits_the_person_and_keeps_them_apart(graph: Graph) -> None:
    actor = await graph.actor()
    crm = person("ada", "crm", email("ada@example.com"))
    chat = person("U42", "slack", email("ada@example.com"))
    bob = person("bob", "crm")
    ticket = create_entity()
    work = tuple(
        create_activity(
            occurred_at=T0 + timedelta(hours=n), actor=who.ref, links=(Link(object=ticket.ref),)
        )
        for n, who in enumerate((crm, chat, bob))
    )
    await _ingest(graph, actor, GraphBatch(entities=(crm, chat, bob, ticket), activities=work))
    merged = await graph.maps.compute(actor.scope, MapQuery(object_type="ticket"))
    async with graph.uow_for(actor.scope) as uow:
        (merge,) = await uow.merges.of_entities((await _canonical(graph, actor, crm))[:1])

    await UndoMerge(graph.uow_for, FrozenClock(at=T0)).execute(actor, merge.id)
    await _ingest(graph, actor, GraphBatch(entities=(crm, chat)))  # the same key again

    split = await graph.maps.compute(actor.scope, MapQuery(object_type="ticket"))
    ada_crm, ada_chat, bob_id = await _canonical(graph, actor, crm, chat, bob)
    assert ada_crm != ada_chat
    assert [(h.source, h.target) for h in merged.handoffs] == [(min(ada_crm, ada_chat), bob_id)]
    assert sorted((h.source, h.target) for h in split.handoffs) == sorted(
        [(ada_crm, ada_chat), (ada_chat, bob_id)]
    )


async def test_an_activity_can_link_a_mention_already_resolved_into_another_source(
    graph: Graph,
) -> None:
    actor = await graph.actor()
    mail = person("ada-mail", "gmail", email("ada@example.com"))
    calendar = EntityRecord(
        ref=ref("ada-cal", scope="gcal"), type="person", identities=(email("ada@example.com"),)
    )
    await _ingest(graph, actor, GraphBatch(entities=(mail,)))
    await _ingest(graph, actor, GraphBatch(entities=(calendar,)))
    mention = EntityRecord(ref=calendar.ref, type="person", reference=True)
    held = create_activity(type="Meeting held", links=(Link(object=calendar.ref),))

    await _ingest(graph, actor, GraphBatch(entities=(mention,), activities=(held,)))

    m, c = await _canonical(graph, actor, mail, calendar)
    assert actor.tenant_id is not None
    held_id = ActivityId(record_id(actor.tenant_id, "activity", held.ref))
    async with graph.uow_for(actor.scope) as uow:
        found = await uow.activities.get_many([held_id])
        traces = await uow.sequences.get_many([m])
    assert m == c
    assert list(found) == [held_id]
    assert [o.activity_id for o in traces[m]] == [held_id]  # in the resolved person's history
