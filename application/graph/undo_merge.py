"""Undo an entity merge: the absorbed records become their own entity again, for good."""

from __future__ import annotations

from collections.abc import Callable
from typing import final
from uuid import UUID

from application.graph import sequences
from application.graph.ports import GraphUnitOfWork
from application.shared.actor import Actor
from application.shared.ports import Clock
from application.shared.scope import Scope
from domain.feed.events import FeedEvent
from domain.graph import resolution
from domain.graph.errors import MergeNotFound


@final
class UndoMerge:
    def __init__(self, uow_for: Callable[[Scope], GraphUnitOfWork], clock: Clock) -> None:
        self._uow_for, self._clock = uow_for, clock

    async def execute(self, actor: Actor, merge_id: UUID) -> None:
        async with self._uow_for(actor.scope) as uow:
            merge = await uow.merges.get(merge_id)
            if merge is None or merge.undone_at is not None:
                raise MergeNotFound(merge_id=str(merge_id))
            revision = await uow.versions.begin_ingest()
            # Later merges may have moved the survivor's cluster on: split from where it is now.
            survivor = (await uow.entities.get_many([merge.survivor]))[merge.survivor]
            await uow.entities.set_canonical(merge.members, merge.absorbed)
            await uow.merges.mark_undone(merge_id, self._clock.now())
            kind = resolution.type_of(merge.key)
            await sequences.rebuild(uow, [survivor.canonical_id, merge.absorbed], kind, revision)
            await uow.versions.invalidate()
            uow.events.announce(FeedEvent.graph_changed(revision, None, None))
            await uow.commit()
