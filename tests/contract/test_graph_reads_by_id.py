"""Graph reads by id answer with the scope's tenant's records only, even where another tenant
holds a record of the very same id (ids derive from the tenant, so this is the worst case)."""

from __future__ import annotations

from application.shared.scope import Scope
from domain.graph.model import Entity, EntityId, SourceRef
from domain.shared.ids import new_id
from tests.factories.graph_harness import Graph


def _entity(entity_id: EntityId, name: str) -> Entity:
    ref = SourceRef(provider="hubspot", scope="portal-1", source_id="deal:42")
    return Entity(
        id=entity_id, ref=ref, type="deal", name=name, attributes=(), url=None,
        canonical_id=entity_id,
    )  # fmt: skip


async def _store(graph: Graph, scope: Scope, entity: Entity) -> None:
    async with graph.uow_for(scope) as uow:
        await uow.entities.upsert([entity])
        await uow.commit()


async def test_an_entity_read_by_id_is_the_scope_tenants_own(graph: Graph) -> None:
    mine, theirs = await graph.tenant(), await graph.tenant()
    shared_id = EntityId(new_id())
    await _store(graph, mine, _entity(shared_id, "Mine"))
    await _store(graph, theirs, _entity(shared_id, "Theirs"))  # stored last: read last

    async with graph.uow_for(mine) as uow:
        by_id = await uow.entities.get_many([shared_id])
        members = await uow.entities.members(shared_id)
        representatives = await uow.entities.representatives([shared_id])
        clusters = await uow.entities.members_of([shared_id])

    assert {k: e.name for k, e in by_id.items()} == {shared_id: "Mine"}
    assert [e.name for e in members] == ["Mine"]
    assert {k: e.name for k, e in representatives.items()} == {shared_id: "Mine"}
    assert {k: [e.name for e in v] for k, v in clusters.items()} == {shared_id: ["Mine"]}


async def test_renaming_a_cluster_touches_the_scope_tenants_records_only(graph: Graph) -> None:
    mine, theirs = await graph.tenant(), await graph.tenant()
    shared_id, other_id = EntityId(new_id()), EntityId(new_id())
    await _store(graph, mine, _entity(shared_id, "Mine"))
    await _store(graph, theirs, _entity(shared_id, "Theirs"))
    await _store(graph, mine, _entity(other_id, "Mine too"))

    async with graph.uow_for(mine) as uow:
        await uow.entities.set_canonical([shared_id], other_id)
        await uow.commit()
    async with graph.uow_for(theirs) as uow:
        untouched = await uow.entities.get_many([shared_id])

    assert untouched[shared_id].canonical_id == shared_id
