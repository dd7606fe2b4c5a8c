"""How an import stands, as ``GET imports/{id}`` answers: its record, and while it runs, the
feed's latest ``import.progress`` (the worker announces it about once a second)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from application.graph.import_jobs import ImportFailure, ImportRecord, ImportStateName
from application.graph.importing import ImportSummary
from domain.feed.events import PublishedEvent


class ImportStatus(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    state: ImportStateName
    file_name: str
    object_type: str
    total_bytes: int
    bytes_read: int = 0
    events: int = 0
    attempts: int = 0
    requested_at: datetime
    updated_at: datetime
    code: str | None = None  # why it failed
    failure: ImportFailure | None = None  # the problem's code, message and details
    summary: ImportSummary | None = None  # what the synchronous import used to answer

    @classmethod
    def of(cls, record: ImportRecord, news: PublishedEvent | None = None) -> ImportStatus:
        bytes_read, events = 0, 0
        if record.summary is not None:
            bytes_read, events = record.summary.bytes, record.summary.events
        elif record.state == "running" and news is not None and news.kind == "import.progress":
            bytes_read, events = news.data["bytes_read"], news.data["events"]
        return cls(
            id=record.id, state=record.state, file_name=record.file_name,
            object_type=record.object_type, total_bytes=record.bytes, bytes_read=bytes_read,
            events=events, attempts=record.attempts, requested_at=record.requested_at,
            updated_at=record.updated_at, failure=record.failure, summary=record.summary,
            code=record.failure.code if record.failure else None,
        )  # fmt: skip
