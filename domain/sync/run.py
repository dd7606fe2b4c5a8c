"""A sync run: one pass over a connection's streams, with what each stream brought.

queued ──▶ running ──▶ succeeded
              │  └───▶ failed      (a refusal no retry changes; the schedule tries again)
              └──────▶ waiting ──▶ running   (throttled or unreachable: the job comes back)
queued/running/waiting ──▶ cancelled (the connection was disconnected or needs reauth)

At most one run of a connection is queued, running or waiting at a time: the database holds
that rule (a unique index), the job queue's dedupe key holds it again.
"""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

import msgspec

from domain.shared.ids import TenantId, UserId


class RunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    WAITING = "waiting"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def active(self) -> bool:
        return self in _ACTIVE


_ACTIVE = frozenset({RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.WAITING})


class RunTrigger(enum.StrEnum):
    SCHEDULE = "schedule"
    MANUAL = "manual"


class StreamProgress(msgspec.Struct, frozen=True, kw_only=True):
    """What one stream of one run brought; counts add up page by page."""

    stream: str
    pages: int = 0
    fetched: int = 0  # provider records read
    records_new: int = 0
    records_changed: int = 0
    records_deleted: int = 0
    errors: int = 0
    position: datetime | None = None  # the provider time the stream's cursor stands at
    finished_at: datetime | None = None


class PageCounts(msgspec.Struct, frozen=True, kw_only=True):
    pages: int = 1  # provider pages these counts were read from
    fetched: int = 0
    new: int = 0
    changed: int = 0
    deleted: int = 0
    errors: int = 0


class SyncRun(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: TenantId
    user_id: UserId
    connection_id: UUID
    provider: str
    trigger: RunTrigger
    status: RunStatus
    requested_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    attempts: int = 0
    error: str | None = None  # a stable code, never a provider's body
    resume_at: datetime | None = None  # a waiting run comes back then
    streams: tuple[StreamProgress, ...] = ()

    @classmethod
    def requested(
        cls,
        *,
        id: UUID,
        tenant_id: TenantId,
        user_id: UserId,
        connection_id: UUID,
        provider: str,
        trigger: RunTrigger,
        at: datetime,
    ) -> SyncRun:
        return cls(
            id=id,
            tenant_id=tenant_id,
            user_id=user_id,
            connection_id=connection_id,
            provider=provider,
            trigger=trigger,
            status=RunStatus.QUEUED,
            requested_at=at,
        )

    def started(self, at: datetime) -> SyncRun:
        return msgspec.structs.replace(
            self,
            status=RunStatus.RUNNING,
            started_at=self.started_at or at,
            attempts=self.attempts + 1,
            resume_at=None,
        )

    def waiting(self, reason: str, until: datetime) -> SyncRun:
        return msgspec.structs.replace(
            self, status=RunStatus.WAITING, error=reason, resume_at=until
        )

    def succeeded(self, at: datetime) -> SyncRun:
        return msgspec.structs.replace(
            self, status=RunStatus.SUCCEEDED, finished_at=at, error=None, resume_at=None
        )

    def failed(self, reason: str, at: datetime) -> SyncRun:
        return msgspec.structs.replace(
            self, status=RunStatus.FAILED, finished_at=at, error=reason, resume_at=None
        )

    def cancelled(self, reason: str, at: datetime) -> SyncRun:
        return msgspec.structs.replace(
            self, status=RunStatus.CANCELLED, finished_at=at, error=reason, resume_at=None
        )

    @property
    def totals(self) -> PageCounts:
        return PageCounts(
            fetched=sum(s.fetched for s in self.streams),
            new=sum(s.records_new for s in self.streams),
            changed=sum(s.records_changed for s in self.streams),
            deleted=sum(s.records_deleted for s in self.streams),
        )
