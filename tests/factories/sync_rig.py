"""The fast tier's sync rig: the whole app on fakes, its sandbox mounted in-process, a member
who connects providers through the real consent flow and syncs them with the real engine and
the real connectors. Only the job queue is played by ``drain`` (the worker's part).

Time: the sandbox has its own clock. A connector that must wait (Retry-After, backoff) moves
the sandbox's clock instead of sleeping, and a job handed back for later comes back at once
with the clock moved on, so no test waits.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from adapters.fakes.graph_tables import GraphTables
from adapters.fakes.store import InMemoryStore
from adapters.fakes.sync import QueuedJob, SyncTables
from adapters.sandbox.sandbox import Sandbox
from application.graph.export import ExportHead
from application.shared.actor import Actor
from domain.graph.model import Activity, Entity
from domain.graph.process_map import Window
from domain.identity.model import Role
from domain.sync.run import RunTrigger, SyncRun
from entrypoints.container import Application
from tests.e2e.connect_flow import BASE, connect, person
from tests.e2e.harness import build, harness_settings

Client = AsyncTestClient[Any]


@dataclass
class SyncRig:
    client: Client
    container: Application
    actor: Actor

    @property
    def sandbox(self) -> Sandbox:
        return self.container.adapters.sandbox()  # type: ignore[no-any-return]

    @property
    def store(self) -> InMemoryStore:
        return self.container.adapters.store()  # type: ignore[no-any-return]

    async def connect(self, provider: str, *, backfill_days: int = 730, **body: Any) -> UUID:
        """Connect through the consent flow; the first sync reaches back ``backfill_days``."""
        attempt, outcome = await connect(self.client, self.container, self.actor, provider, **body)
        assert outcome.outcome == "connected", outcome
        settings = await built(self.container.use_cases.sync.change_sync_settings)  # type: ignore[attr-defined]
        await settings.execute(self.actor.scope, attempt.connection_id, backfill_days=backfill_days)
        return attempt.connection_id

    async def sync(self, connection_id: UUID, *, rounds: int = 50) -> SyncRun:
        """Ask for a run and work the queue until it is empty; the run as it ended."""
        request = await built(self.container.use_cases.sync.request_sync)  # type: ignore[attr-defined]
        requested = await request.execute(self.actor.scope, connection_id, RunTrigger.MANUAL)
        await self.drain(rounds=rounds)
        return self.run(requested.run.id)

    async def drain(self, *, rounds: int = 50) -> int:
        """Run queued jobs as a worker would until none is left; the jobs run."""
        run_sync = await built(self.container.use_cases.sync.run_sync)  # type: ignore[attr-defined]
        for done in range(rounds):
            jobs = self.store.tables.of(SyncTables).jobs
            if not jobs:
                return done
            connection_id, queued = next(iter(jobs.items()))
            del jobs[connection_id]  # picked: the handler runs it, then it is gone
            outcome = await run_sync.execute(queued.job)
            if outcome.come_back_after is not None:
                self.sandbox.clock.advance(timedelta(seconds=outcome.come_back_after))
                jobs = self.store.tables.of(SyncTables).jobs
                jobs[connection_id] = QueuedJob(job=queued.job, not_before=None)
        raise AssertionError(f"jobs still queued after {rounds} rounds")

    def run(self, run_id: UUID) -> SyncRun:
        return self.store.tables.of(SyncTables).runs[(self.actor.tenant_id, run_id)]

    def entities(self, type: str | None = None) -> list[Entity]:
        graph = self.store.tables.of(GraphTables)
        return [
            e
            for (tenant, _), e in graph.entities.items()
            if tenant == self.actor.tenant_id and type in (None, e.type)
        ]

    def activities(self, type: str | None = None) -> list[Activity]:
        graph = self.store.tables.of(GraphTables)
        return [
            a
            for (tenant, _), a in graph.activities.items()
            if tenant == self.actor.tenant_id and type in (None, a.type)
        ]

    async def digest(self) -> str:
        """A canonical digest of the tenant's whole export: equal graphs, equal digests."""
        return await export_digest(self.container, self.actor)


async def export_digest(container: Application, actor: Actor) -> str:
    export = await built(container.use_cases.export_graph)  # type: ignore[attr-defined]
    digest = hashlib.sha256()
    async for part in export.execute(actor, Window()):
        if isinstance(part, ExportHead):
            head = {
                "types": sorted(
                    msgspec.to_builtins(part.types), key=lambda t: (t["kind"], t["name"])
                ),
                "entities": sorted(msgspec.to_builtins(part.entities), key=lambda e: e["id"]),
                "relationships": sorted(msgspec.to_builtins(part.relationships), key=str),
            }
            digest.update(msgspec.json.encode(head, order="sorted"))
        else:
            digest.update(msgspec.json.encode(msgspec.to_builtins(part), order="sorted"))
    return digest.hexdigest()


async def built(provider: Any) -> Any:
    """A use case from its provider (those above an async resource come as awaitables)."""
    made = provider()
    return await made if inspect.isawaitable(made) else made


@asynccontextmanager
async def sync_rig(tmp_path: Path, role: Role = Role.OWNER) -> AsyncIterator[SyncRig]:
    app, container = build(harness_settings(tmp_path))
    rig_holder: list[SyncRig] = []

    async def sandbox_sleep(seconds: float) -> None:
        rig_holder[0].sandbox.clock.advance(timedelta(seconds=seconds))

    container.adapters.sync.connector_sleep.override(providers.Object(sandbox_sleep))  # type: ignore[attr-defined]
    async with AsyncTestClient(app, base_url=BASE) as client:
        rig = SyncRig(client=client, container=container, actor=person(role=role))
        rig_holder.append(rig)
        yield rig
