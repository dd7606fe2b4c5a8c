"""Ports the sync use cases need: connectors, the job queue, and the sync tables."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

import msgspec

from application.graph.ports import GraphPurgeUnitOfWork
from application.integrations.connection_tokens import AccessGrant
from application.integrations.ports import ConnectionRepository
from domain.integrations.connection import Connection
from domain.shared.ids import TenantId, UserId
from domain.shared.secret import Secret
from domain.sync.page import SyncPage
from domain.sync.run import PageCounts, SyncRun
from domain.sync.schedule import SyncSchedule

# --- reading a provider ------------------------------------------------------------------------


class AccessSource(Protocol):
    """The connection's access token, refreshed single-flight across every process.

    ``rejected`` is the token the provider just refused (a 401): it is renewed once, unless
    someone already replaced it. Raises ``ConnectionNeedsReauth`` for a dead grant and
    ``SourceUnavailable`` while refreshing is cooling down.
    """

    async def token(self, rejected: Secret[str] | None = None) -> AccessGrant: ...


class KnownRecords(Protocol):
    """The source ids this connection's records hold in the graph, for finding what the source
    deleted when it has no deletion feed (Jira, Slack): ids only, read in a short transaction."""

    async def entity_ids(self, entity_type: str) -> set[str]: ...

    async def activity_ids(self, source_id_prefix: str) -> set[str]: ...


class SourceReader(Protocol):
    """One connection's provider, read stream by stream from each stream's checkpoint.

    ``read`` yields pages; a page's records and its cursor are committed together, possibly
    with the pages read just before it (small pages are stored together, up to a budget, and
    what was read before a fault is stored): a reader must not count on its earlier pages of
    a stream being committed when it is asked for the next one (``KnownRecords`` shows what
    is). No database connection is held while a page is fetched.
    Raises ``SourceThrottled``, ``SourceUnavailable``, ``SourceRefused``, ``GrantRejected``
    (``domain.sync.errors``) or ``ConnectionNeedsReauth``, never a transport error.
    """

    async def streams(self) -> Sequence[str]:
        """The streams of this pass, in order (may ask the provider, e.g. Slack's channels)."""
        ...

    def read(self, stream: str, cursor: bytes | None) -> AsyncIterator[SyncPage]: ...

    def independent(self, stream: str) -> bool:
        """Whether the stream may be read and stored alongside its independent neighbours in
        ``streams()`` (none depends on another's pages: Slack's channels); False by default."""
        return False


class ReadPlan(msgspec.Struct, frozen=True, kw_only=True):
    connection: Connection
    since: datetime  # a stream without a checkpoint reads back to here (the backfill)


class SourceReaders(Protocol):
    """Builds the reader of a connection's provider (one connector per provider)."""

    def supports(self, provider: str) -> bool: ...

    def reader(self, plan: ReadPlan, access: AccessSource, known: KnownRecords) -> SourceReader: ...


# --- jobs --------------------------------------------------------------------------------------


class SyncJob(msgspec.Struct, frozen=True, kw_only=True):
    """A job carries ids only: never a token, never content."""

    tenant_id: TenantId
    user_id: UserId
    connection_id: UUID
    run_id: UUID


class JobQueue(Protocol):
    """Enqueues inside the unit of work's transaction: the job exists iff the run does."""

    async def enqueue_sync(self, job: SyncJob, *, delay: timedelta | None = None) -> bool:
        """False when a sync of this connection is already queued or being run (dedupe)."""
        ...


class ConnectionScope(msgspec.Struct, frozen=True, kw_only=True):
    tenant_id: TenantId
    user_id: UserId
    connection_id: UUID


class SyncCensus(Protocol):
    """Across tenants, ids only: whose scope each connection is in."""

    async def due(self, now: datetime, limit: int) -> list[ConnectionScope]:
        """The active connections whose next sync is due."""
        ...

    async def scopes(self, connection_id: UUID | None) -> list[ConnectionScope]:
        """One connection's scope, or every connection's (for operators' commands)."""
        ...


# --- the sync tables ---------------------------------------------------------------------------


class Checkpoint(msgspec.Struct, frozen=True, kw_only=True):
    stream: str
    cursor: bytes
    position: datetime | None
    updated_at: datetime


class SyncRunRepository(Protocol):
    async def get(self, run_id: UUID) -> SyncRun | None: ...

    async def active(self, connection_id: UUID) -> SyncRun | None:
        """The connection's queued, running or waiting run, if any."""
        ...

    async def add(self, run: SyncRun) -> bool:
        """False when the connection already has an active run (nothing is written)."""
        ...

    async def save(self, run: SyncRun) -> None:
        """The run's status and times (its streams are written by ``record_page``)."""
        ...

    async def record_page(
        self, run_id: UUID, stream: str, counts: PageCounts, position: datetime | None
    ) -> None: ...

    async def finish_stream(self, run_id: UUID, stream: str, at: datetime) -> None: ...

    async def latest(
        self, connection_id: UUID | None, *, limit: int, before: tuple[datetime, UUID] | None
    ) -> list[SyncRun]:
        """Runs newest first (by request time, then id), streams included."""
        ...


class CheckpointRepository(Protocol):
    async def all(self, connection_id: UUID) -> dict[str, Checkpoint]: ...

    async def save(self, connection_id: UUID, checkpoint: Checkpoint) -> None: ...

    async def clear(self, connection_id: UUID) -> None: ...


class ScheduleRepository(Protocol):
    async def get(self, connection_id: UUID, *, for_update: bool = False) -> SyncSchedule | None:
        """``for_update``: the row stays locked until commit, for a read-modify-write (a run's
        end and a settings change must not undo each other's columns)."""
        ...

    async def save(self, schedule: SyncSchedule) -> None:
        """Insert or update everything but the fence."""
        ...

    async def take_over(self, connection_id: UUID) -> int:
        """The fence, moved on: from now on only its holder writes this connection's pages."""
        ...

    async def holds(self, connection_id: UUID, fence: int) -> bool:
        """Still the holder; the row stays locked against a take-over until commit."""
        ...

    async def due(self, connection_id: UUID, now: datetime) -> bool:
        """Its next run is due (or it has no schedule yet); the row stays locked against a
        run's end until commit, so a run that ends meanwhile is not followed by another."""
        ...


class SyncUnitOfWork(GraphPurgeUnitOfWork, Protocol):
    """The graph and the sync tables in one transaction: a page and its cursor commit together."""

    connections: ConnectionRepository
    runs: SyncRunRepository
    checkpoints: CheckpointRepository
    schedules: ScheduleRepository
    jobs: JobQueue
