"""Where a running import's progress can be read while its upload is still being processed.

In-process and tenant-scoped: a client that names its import (``X-Import-Id``) can poll it on
the same API process. Entries are forgotten ten minutes after their last change.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal
from uuid import UUID

import msgspec

from application.graph.importing import ImportProgress
from domain.feed.events import PublishedEvent
from domain.shared.ids import TenantId

KEEP_SECONDS = 600


class ImportState(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    state: Literal["running", "done", "failed"]
    bytes_read: int = 0
    total_bytes: int = 0
    events: int = 0
    code: str | None = None  # why it failed

    @classmethod
    def from_news(cls, import_id: UUID, news: PublishedEvent) -> ImportState:
        """How the feed's latest ``import.*`` event of this import says it stands."""
        data = news.data
        if news.kind == "import.progress":
            return cls(id=import_id, state="running", bytes_read=data["bytes_read"],
                       total_bytes=data["total_bytes"], events=data["events"])  # fmt: skip
        done = data["state"] == "done"
        return cls(
            id=import_id, state="done" if done else "failed", events=data.get("events", 0),
            bytes_read=data.get("bytes", 0), total_bytes=data.get("bytes", 0), code=data["code"],
        )  # fmt: skip


class ImportBoard:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._states: dict[tuple[TenantId, UUID], tuple[float, ImportState]] = {}

    def _put(self, tenant_id: TenantId, state: ImportState) -> None:
        now = self._clock()
        self._states = {k: v for k, v in self._states.items() if now - v[0] < KEEP_SECONDS}
        self._states[(tenant_id, state.id)] = (now, state)

    def reporter(self, tenant_id: TenantId, import_id: UUID) -> Callable[[ImportProgress], None]:
        self._put(tenant_id, ImportState(id=import_id, state="running"))

        def report(progress: ImportProgress) -> None:
            self._put(tenant_id, ImportState(
                id=import_id, state="running", bytes_read=progress.bytes_read,
                total_bytes=progress.total_bytes, events=progress.events,
            ))  # fmt: skip

        return report

    def finish(
        self, tenant_id: TenantId, import_id: UUID, *, events: int, code: str | None
    ) -> None:
        entry = self._states.get((tenant_id, import_id))
        before = entry[1] if entry else ImportState(id=import_id, state="running")
        state = msgspec.structs.replace(
            before, state="failed" if code else "done", events=events, code=code
        )
        self._put(tenant_id, state)

    def get(self, tenant_id: TenantId, import_id: UUID) -> ImportState | None:
        entry = self._states.get((tenant_id, import_id))
        return entry[1] if entry and self._clock() - entry[0] < KEEP_SECONDS else None
