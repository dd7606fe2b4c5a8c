"""Read the graph: entities (with search and cursor pagination), one entity, activities."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import final
from uuid import UUID

import msgspec

from application.graph.ports import (
    ActivityFilter,
    ActivityPage,
    EntityPage,
    GraphUnitOfWork,
    MergeRecord,
)
from application.shared.actor import Actor
from application.shared.paging import decode_cursor, encode_cursor
from application.shared.scope import Scope
from domain.graph.errors import EntityNotFound, InvalidCursor
from domain.graph.model import Activity, ActivityId, Entity, EntityId, Relationship, as_cluster
from domain.graph.times import within_range

MAX_PAGE = 500
TIMELINE = 50


class _ActivityCursor(msgspec.Struct, frozen=True, array_like=True):
    at: datetime
    id: UUID


def _encode(value: object) -> str:
    return encode_cursor(value)


def _decode(cursor: str, kind: type[object]) -> object:
    return decode_cursor(cursor, kind, InvalidCursor)


def _limit(limit: int) -> int:
    return max(1, min(limit, MAX_PAGE))


class EntityDetail(msgspec.Struct, frozen=True, kw_only=True):
    entity: Entity
    members: tuple[Entity, ...]  # the records that resolve to it, itself included
    relationships: tuple[Relationship, ...]
    merges: tuple[MergeRecord, ...]  # how its records came together (each can be undone)
    timeline: tuple[Activity, ...]  # the first activities it did or concerns; page on with
    # activities?actor= or activities?object=


@final
class ListEntities:
    def __init__(self, uow_for: Callable[[Scope], GraphUnitOfWork]) -> None:
        self._uow_for = uow_for

    async def execute(
        self, actor: Actor, *, type: str | None, search: str | None, cursor: str | None, limit: int
    ) -> EntityPage:
        after = EntityId(_decode(cursor, UUID)) if cursor else None  # type: ignore[arg-type]
        size = _limit(limit)
        async with self._uow_for(actor.scope) as uow:
            found = await uow.entities.page(type=type, search=search, after=after, limit=size + 1)
        more = len(found) > size
        return EntityPage(
            entities=tuple(found[:size]), next_cursor=_encode(found[size - 1].id) if more else None
        )


@final
class ListActivities:
    def __init__(self, uow_for: Callable[[Scope], GraphUnitOfWork]) -> None:
        self._uow_for = uow_for

    async def execute(
        self, actor: Actor, selection: ActivityFilter, *, cursor: str | None, limit: int
    ) -> ActivityPage:
        after = None
        if cursor:
            position = _decode(cursor, _ActivityCursor)
            assert isinstance(position, _ActivityCursor)  # noqa: S101 - decoded as that type
            if not within_range(position.at):  # hand-made: a naive or overflowing time
                raise InvalidCursor()
            after = (position.at, ActivityId(position.id))
        size = _limit(limit)
        async with self._uow_for(actor.scope) as uow:
            if selection.actors:  # a person is every record that resolves to them
                wanted = await uow.entities.get_many(selection.actors)
                clusters = {wanted[a].canonical_id if a in wanted else a for a in selection.actors}
                members = [m for c in clusters for m in await uow.entities.members(c)]
                selection = msgspec.structs.replace(
                    selection, actors=tuple({m.id for m in members} | set(selection.actors))
                )
            found = await uow.activities.page(selection, after=after, limit=size + 1)
        return _activity_page(found, size)


def _activity_page(found: list[Activity], size: int) -> ActivityPage:
    more = len(found) > size
    last = found[size - 1] if more else None
    return ActivityPage(
        activities=tuple(found[:size]),
        next_cursor=_encode(_ActivityCursor(at=last.occurred_at, id=last.id)) if last else None,
    )


@final
class GetEntity:
    def __init__(self, uow_for: Callable[[Scope], GraphUnitOfWork]) -> None:
        self._uow_for = uow_for

    async def execute(self, actor: Actor, entity_id: EntityId) -> EntityDetail:
        async with self._uow_for(actor.scope) as uow:
            found = (await uow.entities.get_many([entity_id])).get(entity_id)
            # The id of a record, or of a cluster whose leading record the reader may not see.
            canonical = found.canonical_id if found is not None else entity_id
            members = await uow.entities.members(canonical)
            if not members:
                raise EntityNotFound(entity_id=str(entity_id))
            entity = as_cluster(next((m for m in members if m.id == canonical), members[0]))
            ids = [m.id for m in members]
            relationships = await uow.relationships.touching(ids)
            merges = await uow.merges.of_entities(ids)
            done = await uow.activities.page(
                ActivityFilter(actors=tuple(ids)), after=None, limit=TIMELINE
            )
            concerning = await uow.activities.page(
                ActivityFilter(object_id=canonical), after=None, limit=TIMELINE
            )
        timeline = sorted({a.id: a for a in done + concerning}.values(), key=_when)[:TIMELINE]
        return EntityDetail(
            entity=entity,
            members=tuple(members),
            relationships=tuple(relationships),
            merges=tuple(merges),
            timeline=tuple(timeline),
        )


def _when(activity: Activity) -> tuple[datetime, UUID]:
    return (activity.occurred_at, activity.id)
