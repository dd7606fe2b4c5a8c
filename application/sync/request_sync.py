"""Ask for a sync of one connection: by hand, or because its schedule is due.

The run row and its job are written in one transaction, so a run exists exactly when its job
does. A connection that already has a queued, running or waiting run gets that run back (and
its job is enqueued again if it went missing: the queue's dedupe key makes that a no-op while
the job exists). A scheduled request asks again, under a lock, whether the connection is still
due: a run that ended after the scheduler's census looked is not followed by another at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import final
from uuid import UUID

import msgspec

from application.shared.ports import Clock
from application.shared.scope import Scope
from application.sync.ports import SyncJob, SyncUnitOfWork
from domain.compliance.audit import AuditAction, AuditEntry
from domain.integrations.errors import ConnectionNotFound
from domain.shared.errors import ScopeViolation
from domain.shared.ids import new_id
from domain.sync.errors import ConnectionNotSyncable
from domain.sync.run import RunTrigger, SyncRun
from domain.sync.schedule import SyncSchedule


class RequestedRun(msgspec.Struct, frozen=True, kw_only=True):
    run: SyncRun
    created: bool  # False: the connection's active run was handed back


def job_of(run: SyncRun) -> SyncJob:
    return SyncJob(
        tenant_id=run.tenant_id,
        user_id=run.user_id,
        connection_id=run.connection_id,
        run_id=run.id,
    )


@final
class RequestSync:
    def __init__(self, uow_for: Callable[[Scope], SyncUnitOfWork], clock: Clock) -> None:
        self._uow_for, self._clock = uow_for, clock

    async def execute(self, scope: Scope, connection_id: UUID, trigger: RunTrigger) -> RequestedRun:
        requested = await self._request(scope, connection_id, trigger, only_when_due=False)
        assert requested is not None  # noqa: S101 - only a request made when due can be refused
        return requested

    async def when_due(self, scope: Scope, connection_id: UUID) -> RequestedRun | None:
        """The scheduler's request: None when the connection is no longer due."""
        return await self._request(scope, connection_id, RunTrigger.SCHEDULE, only_when_due=True)

    async def _request(
        self, scope: Scope, connection_id: UUID, trigger: RunTrigger, *, only_when_due: bool
    ) -> RequestedRun | None:
        if scope.tenant_id is None or scope.user_id is None:
            raise ScopeViolation()
        async with self._uow_for(scope) as uow:
            connection = await uow.connections.get(connection_id)
            if connection is None:  # another user's connection looks exactly like a missing one
                raise ConnectionNotFound(connection_id=str(connection_id))
            if not connection.usable:
                raise ConnectionNotSyncable(status=connection.status.value)
            if only_when_due and not await uow.schedules.due(connection_id, self._clock.now()):
                return None
            active, created = await uow.runs.active(connection_id), False
            if active is None:
                run = SyncRun.requested(
                    id=new_id(),
                    tenant_id=scope.tenant_id,
                    user_id=scope.user_id,
                    connection_id=connection_id,
                    provider=connection.provider,
                    trigger=trigger,
                    at=self._clock.now(),
                )
                created = await uow.runs.add(run)
                # Losing a race to another request hands back the winner's run.
                active = run if created else await uow.runs.active(connection_id)
                if active is None:
                    raise ConnectionNotSyncable(status="busy")
            # A waiting run whose job went missing comes back when it was due, not at once
            # (a throttled provider is not asked again early).
            due = active.resume_at - self._clock.now() if active.resume_at else None
            await uow.jobs.enqueue_sync(
                job_of(active), delay=due if due and due > timedelta(0) else None
            )
            if await uow.schedules.get(connection_id) is None:
                await uow.schedules.save(
                    SyncSchedule(
                        tenant_id=scope.tenant_id,
                        user_id=scope.user_id,
                        connection_id=connection_id,
                    )
                )
            if trigger is RunTrigger.MANUAL:
                uow.audit.record(AuditEntry(
                    action=AuditAction.SYNC_REQUESTED, target_type="connection",
                    target_id=str(connection_id), details={"run": str(active.id)},
                ))  # fmt: skip
            await uow.commit()
        return RequestedRun(run=active, created=created)
