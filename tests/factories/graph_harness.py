"""A graph harness on the fakes or on PostgreSQL, for tests that run on both."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from uuid import uuid4

import pytest

from adapters.fakes.clock import FrozenClock
from adapters.fakes.graph import FakeGraphUnitOfWork
from adapters.fakes.graph_sequences import FakeProcessMaps
from adapters.fakes.identity import FakeIdentityUnitOfWork
from adapters.fakes.store import InMemoryStore
from adapters.importers.formats import SniffingParser
from application.graph.export import ExportGraph
from application.graph.importing import ImportLog
from application.graph.ingest import IngestGraph
from application.graph.maps_port import ProcessMaps
from application.graph.ports import GraphUnitOfWork
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.identity.model import Role
from tests.factories.graph import T0
from tests.factories.identity import seed_tenant_with_owner

MAX_BYTES = 64 << 20


@dataclass
class Graph:
    uow_for: Callable[[Scope], GraphUnitOfWork]
    maps: ProcessMaps
    identity: Callable[[Scope], Any]

    async def actor(self) -> Actor:
        tenant, (owner,) = await seed_tenant_with_owner(self.identity)
        return Actor(tenant_id=tenant.id, user_id=owner.id, role=Role.OWNER, session_id=uuid4())

    def importer(self, max_inflated: int = 1 << 30, batch_size: int = 20_000) -> ImportLog:
        return ImportLog(
            self.uow_for,
            FrozenClock(at=T0),
            partial(SniffingParser, max_inflated=max_inflated, batch_size=batch_size),
            max_bytes=MAX_BYTES,
        )

    def exporter(self) -> ExportGraph:
        return ExportGraph(self.uow_for)

    async def tenant(self) -> Scope:
        return (await self.actor()).scope

    def ingest(self) -> IngestGraph:
        return IngestGraph(uow_for=self.uow_for, clock=FrozenClock(at=T0))

    async def state(self, scope: Scope) -> tuple[Any, ...]:
        async with self.uow_for(scope) as uow:
            entities = await uow.entities.all()
            activities = await uow.activities.window(None, None)
            relationships = await uow.relationships.all()
            sequences = await uow.sequences.get_many([e.id for e in entities])
        return entities, activities, relationships, sequences


@pytest.fixture(params=["fake", "postgres"])
def graph(request: pytest.FixtureRequest) -> Graph:
    if request.param == "fake":
        store = InMemoryStore()
        return Graph(
            partial(FakeGraphUnitOfWork, store),
            FakeProcessMaps(store),
            partial(FakeIdentityUnitOfWork, store),
        )
    from adapters.postgres.graph_maps import PostgresProcessMaps

    return Graph(
        request.getfixturevalue("postgres_graph_uow"),
        PostgresProcessMaps(request.getfixturevalue("sessions")),
        request.getfixturevalue("postgres_identity_uow"),
    )
