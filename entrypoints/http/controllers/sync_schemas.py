"""What the sync endpoints send and receive."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from application.sync.queries import ConnectionSync
from domain.sync.run import StreamProgress, SyncRun

BackfillDays = Annotated[int, msgspec.Meta(ge=1, le=730)]


class StreamView(msgspec.Struct, frozen=True, kw_only=True):
    stream: str
    pages: int
    fetched: int  # provider records read
    records_new: int
    records_changed: int
    records_deleted: int
    errors: int
    position: datetime | None  # the provider time the stream's cursor stands at
    cursor_age_seconds: float | None  # how far behind now that is
    finished_at: datetime | None

    @classmethod
    def of(cls, progress: StreamProgress, now: datetime) -> StreamView:
        age = (now - progress.position).total_seconds() if progress.position else None
        return cls(
            stream=progress.stream,
            pages=progress.pages,
            fetched=progress.fetched,
            records_new=progress.records_new,
            records_changed=progress.records_changed,
            records_deleted=progress.records_deleted,
            errors=progress.errors,
            position=progress.position,
            cursor_age_seconds=round(age, 3) if age is not None else None,
            finished_at=progress.finished_at,
        )


class RunView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    connection_id: UUID
    provider: str
    trigger: str  # schedule | manual
    status: str  # queued | running | waiting | succeeded | failed | cancelled
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int
    error: str | None  # a stable code, never a provider's message
    resume_at: datetime | None  # a waiting run comes back then
    fetched: int
    records_new: int
    records_changed: int
    records_deleted: int
    streams: list[StreamView]

    @classmethod
    def of(cls, run: SyncRun, now: datetime) -> RunView:
        totals = run.totals
        return cls(
            id=run.id,
            connection_id=run.connection_id,
            provider=run.provider,
            trigger=run.trigger.value,
            status=run.status.value,
            requested_at=run.requested_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            attempts=run.attempts,
            error=run.error,
            resume_at=run.resume_at,
            fetched=totals.fetched,
            records_new=totals.new,
            records_changed=totals.changed,
            records_deleted=totals.deleted,
            streams=[StreamView.of(s, now) for s in run.streams],
        )


class RunList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[RunView]
    next_cursor: str | None


class SyncView(msgspec.Struct, frozen=True, kw_only=True):
    backfill_days: int
    next_run_at: datetime | None  # None: due now (or paused while the connection is not active)
    last_success_at: datetime | None
    latest_run: RunView | None

    @classmethod
    def of(cls, sync: ConnectionSync, now: datetime) -> SyncView:
        schedule, run = sync.schedule, sync.latest_run
        return cls(
            backfill_days=schedule.backfill_days if schedule else 90,
            next_run_at=schedule.next_run_at if schedule and sync.connection.usable else None,
            last_success_at=schedule.last_success_at if schedule else None,
            latest_run=RunView.of(run, now) if run is not None else None,
        )


class ConnectionPatch(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    backfill_days: BackfillDays | None = None  # how far back the first run reads (1-730 days)
    # A personal connection's records: the tenant's (true) or only yours (false, the default).
    shared: bool | None = None
