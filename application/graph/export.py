"""Export the tenant's graph, or a window of it, as a stream of parts (see ``ExportGraph``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import final

import msgspec

from application.graph.ports import ActivityFilter, GraphUnitOfWork
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.compliance.audit import AuditAction, AuditEntry
from domain.graph.catalog import TypeDeclaration
from domain.graph.model import Activity, ActivityId, Entity, EntityId, Relationship
from domain.graph.process_map import Window
from domain.identity.errors import RoleRequired

PAGE = 5_000


class ExportHead(msgspec.Struct, frozen=True, kw_only=True):
    """Everything before the events. ``qualify_events``: the events come from more than one
    (provider, scope), so their source ids alone may collide."""

    types: tuple[TypeDeclaration, ...]
    entities: tuple[Entity, ...]
    relationships: tuple[Relationship, ...]
    qualify_events: bool


ExportPart = ExportHead | tuple[Activity, ...]


@final
class ExportGraph:
    """Yields one ``ExportHead``, then the activities in pages, in (time, id) order.

    A window exports the activities in ``[start, end)``, the entities they link or are done
    by, and the relationships among those entities; no window exports everything. The parts
    are read in one transaction, open until the last part is taken: take them all at once
    (the HTTP export spools them to a file first), never at a client's pace.
    """

    def __init__(self, uow_for: Callable[[Scope], GraphUnitOfWork]) -> None:
        self._uow_for = uow_for

    async def execute(self, actor: Actor, window: Window) -> AsyncIterator[ExportPart]:
        if not actor.role.exports_tenant:
            raise RoleRequired()
        whole = window.start is None and window.end is None
        # Recorded before anything is read, in its own transaction (the export's never commits):
        # an export that fails halfway was still taken, as far as the trail is concerned. A
        # tenant pending deletion may still be exported, and the trail says so.
        async with self._uow_for(actor.scope.despite_pending_deletion()) as uow:
            uow.audit.record(AuditEntry(
                action=AuditAction.EXPORT_CREATED, target_type="graph", details={
                    "start": window.start.isoformat() if window.start else "",
                    "end": window.end.isoformat() if window.end else "",
                },
            ))  # fmt: skip
            await uow.commit()
        async with self._uow_for(actor.scope) as uow:
            referenced: set[EntityId] = set()
            sources: set[tuple[str, str]] = set()
            async for page in _pages(uow, window):
                for activity in page:
                    sources.add((activity.ref.provider, activity.ref.scope))
                    referenced.update(link.entity_id for link in activity.objects)
                    if activity.actor_id is not None:
                        referenced.add(activity.actor_id)
            if whole:
                entities = await uow.entities.all()
                relationships = await uow.relationships.all()
            else:
                entities = sorted((await uow.entities.get_many(referenced)).values(), key=_id)
                kept = {e.id for e in entities}
                relationships = [
                    r
                    for r in await uow.relationships.touching(kept)
                    if r.source_id in kept and r.target_id in kept
                ]
            yield ExportHead(
                types=tuple(await uow.types.all()),
                entities=tuple(entities),
                relationships=tuple(relationships),
                qualify_events=len(sources) > 1,
            )
            async for page in _pages(uow, window):
                yield page


def _id(entity: Entity) -> EntityId:
    return entity.id


async def _pages(uow: GraphUnitOfWork, window: Window) -> AsyncIterator[tuple[Activity, ...]]:
    selection = ActivityFilter(start=window.start, end=window.end)
    after: tuple[datetime, ActivityId] | None = None
    while page := await uow.activities.page(selection, after=after, limit=PAGE):
        yield tuple(page)
        after = (page[-1].occurred_at, page[-1].id)
