"""A graph harness on the fakes or on PostgreSQL, for tests that run on both."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from uuid import uuid4

import pytest

from adapters.fakes.clock import FrozenClock
from adapters.fakes.graph import FakeGraphUnitOfWork, FakeProcessMaps
from adapters.fakes.identity import FakeIdentityUnitOfWork
from adapters.fakes.store import InMemoryStore
from adapters.importers.formats import SniffingParser
from application.graph.export import ExportGraph
from application.graph.importing import ImportLog
from application.graph.ports import GraphUnitOfWork, ProcessMaps
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

    def importer(self, max_inflated: int = 1 << 30) -> ImportLog:
        return ImportLog(
            self.uow_for,
            FrozenClock(at=T0),
            partial(SniffingParser, max_inflated=max_inflated),
            max_bytes=MAX_BYTES,
        )

    def exporter(self) -> ExportGraph:
        return ExportGraph(self.uow_for)


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
