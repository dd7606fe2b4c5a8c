"""Reading a HubSpot sync rig: the graph by HubSpot ids, the stored cursors, the sandbox's truth."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec

from adapters.connectors.hubspot.windows import SearchCursor
from adapters.fakes.graph_tables import GraphTables
from adapters.fakes.sync import SyncTables
from adapters.sandbox.providers.hubspot import overlay
from adapters.sandbox.providers.hubspot.records import HubRecord
from domain.graph.model import EPOCH, Entity
from domain.sync.run import StreamProgress, SyncRun
from tests.factories.sync_rig import SyncRig

MS = timedelta(milliseconds=1)


def with_bulk_contacts(rig: SyncRig, count: int) -> None:
    """The rig's sandbox with ``count`` list-import contacts, all modified within one hour
    (``hubspot_bulk_contacts``); only before its seeded company is first read."""
    sandbox = rig.sandbox
    sandbox.config = msgspec.structs.replace(sandbox.config, hubspot_bulk_contacts=count)
    assert sandbox.dataset.bulk_contacts == count, "the dataset was built before"


def millis(moment: datetime) -> int:
    return (moment - EPOCH) // MS


def moment(ms: int) -> datetime:
    return EPOCH + ms * MS


def stream(run: SyncRun, name: str) -> StreamProgress:
    return next(s for s in run.streams if s.stream == name)


def position(run: SyncRun, name: str) -> datetime:
    at = stream(run, name).position
    assert at is not None
    return at


def cursor(rig: SyncRig, connection: UUID, name: str) -> SearchCursor:
    tables = rig.store.tables.of(SyncTables)
    _, checkpoint = tables.checkpoints[(rig.actor.tenant_id, connection, name)]
    return msgspec.json.decode(checkpoint.cursor, type=SearchCursor)


def forget_cursors(rig: SyncRig, connection: UUID) -> None:
    """Every stored cursor of the connection gone: the next run reads the backfill again."""
    checkpoints = rig.store.tables.of(SyncTables).checkpoints
    for key in [k for k in checkpoints if k[1] == connection]:
        del checkpoints[key]


def live(rig: SyncRig, object_type: str, before: datetime) -> list[HubRecord]:
    """What HubSpot holds of ``object_type`` last modified before ``before`` (not archived)."""
    return [r for r in overlay.view(rig.sandbox, object_type).live if r.updated < before]


def by_source(rig: SyncRig, type: str, kind: str) -> dict[str, Entity]:
    """The rig's entities of ``type`` whose HubSpot source id is ``<kind>:<id>``, by id."""
    prefix = f"{kind}:"
    return {
        e.ref.source_id.removeprefix(prefix): e
        for e in rig.entities(type)
        if e.ref.provider == "hubspot" and e.ref.source_id.startswith(prefix)
    }


def attribute(entity: Entity, name: str) -> Any:
    return next((a.value for a in entity.attributes if a.name == name), None)


def relationships(rig: SyncRig) -> set[tuple[str, str, str]]:
    """``(source id, target id, qualifier)`` by source ids."""
    graph = rig.store.tables.of(GraphTables)
    refs = {e.id: e.ref.source_id for e in rig.entities()}
    return {
        (refs[r.source_id], refs[r.target_id], r.qualifier)
        for (tenant, r) in graph.relationships
        if tenant == rig.actor.tenant_id
    }


def shape(rig: SyncRig) -> tuple[Any, ...]:
    """The rig's graph without anything its tenant or connection ids make unique."""
    refs = {e.id: e.ref.source_id for e in rig.entities()}
    entities = sorted(
        (e.type, e.ref.source_id, e.name, e.url, msgspec.json.encode(e.attributes))
        for e in rig.entities()
    )
    activities = sorted(
        (
            a.type,
            a.ref.source_id,
            a.occurred_at,
            a.source_seq,
            refs.get(a.actor_id) if a.actor_id else None,
            msgspec.json.encode(a.attributes, order="sorted"),
            tuple(sorted((refs[o.entity_id], o.qualifier) for o in a.objects)),
        )
        for a in rig.activities()
    )
    return tuple(entities), tuple(activities), tuple(sorted(relationships(rig)))


def same_time(*rigs: SyncRig) -> None:
    """Every rig's sandbox clock moved forward to the latest of them."""
    latest = max(r.sandbox.clock.now() for r in rigs)
    for rig in rigs:
        rig.sandbox.clock.advance(latest - rig.sandbox.clock.now())
