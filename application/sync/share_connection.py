"""Share a personal connection with the tenant, or take it back.

A personal connection (a mailbox, a calendar) brings records private to the member who made
it. Sharing makes every record it brought the tenant's, and puts its activities into the
maintained sequences every member's maps are served from; unsharing takes them back out. Both
happen in one transaction with the connection's flag, and move the sync's fence: a run under
way stops at its next page and starts over, so no page is written with the old visibility.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import final
from uuid import UUID

import msgspec

from application.feed import announce
from application.graph import sequences
from application.shared.scope import Scope
from application.sync.ports import SyncUnitOfWork
from domain.compliance.audit import AuditAction, AuditEntry
from domain.feed.events import Audience, FeedEvent
from domain.integrations.connection import Connection
from domain.integrations.errors import ConnectionNotFound, NotPersonal
from domain.shared.errors import ScopeViolation


@final
class ShareConnection:
    def __init__(self, uow_for: Callable[[Scope], SyncUnitOfWork]) -> None:
        self._uow_for = uow_for

    async def execute(self, scope: Scope, connection_id: UUID, *, shared: bool) -> Connection:
        if scope.tenant_id is None or scope.user_id is None:
            raise ScopeViolation()
        async with self._uow_for(scope) as uow:
            connection = await uow.connections.get(connection_id)
            if connection is None:  # a colleague's connection looks exactly like a missing one
                raise ConnectionNotFound(connection_id=str(connection_id))
            if not connection.personal:
                raise NotPersonal(provider=connection.provider)
            if connection.shared == shared:
                return connection
            schedule = await uow.schedules.get(connection_id, for_update=True)
            await uow.schedules.take_over(connection_id)
            if schedule is not None:  # due at once: a run the fence stopped starts over
                await uow.schedules.save(msgspec.structs.replace(schedule, next_run_at=None))
            revision = await uow.versions.begin_ingest()
            source = str(connection_id)
            activities = await uow.scoped.activities_of(source)
            await uow.scoped.set_private(source, None if shared else scope.user_id)
            linked = {link.entity_id for a in activities for link in a.objects}
            known = await uow.entities.get_many(linked)
            if shared:
                await sequences.maintain(uow, activities, (), known, revision)
            else:
                await sequences.maintain(uow, (), activities, known, revision)
            await uow.versions.invalidate()  # every member's cached maps are read again
            changed = msgspec.structs.replace(connection, shared=shared)
            await uow.connections.save(changed)
            # Colleagues hear of both: a source they see now, or one they no longer see.
            uow.events.announce(FeedEvent.graph_changed(revision, None, None))
            uow.events.announce(msgspec.structs.replace(
                announce.connection_status(changed), audience=Audience.MEMBERS, private_to=None
            ))  # fmt: skip
            uow.audit.record(AuditEntry(
                action=AuditAction.CONNECTION_SHARED if shared else AuditAction.CONNECTION_UNSHARED,
                target_type="connection", target_id=str(connection_id),
            ))  # fmt: skip
            await uow.commit()
        return changed
