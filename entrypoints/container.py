"""The composition root: the only place adapters are chosen and wired to use cases."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from functools import partial

from dependency_injector import containers, providers

from adapters.clock import SystemClock
from adapters.fakes.access_tokens import FakeAccessTokens
from adapters.fakes.clock import FrozenClock
from adapters.fakes.graph import FakeGraphUnitOfWork, FakeProcessMaps
from adapters.fakes.identity import FakeIdentityUnitOfWork
from adapters.fakes.probe import FakeDatabaseProbe
from adapters.fakes.store import InMemoryStore
from adapters.importers.formats import MAX_INFLATED_BYTES, MAX_UPLOAD_BYTES, SniffingParser
from adapters.importers.progress import ImportBoard
from adapters.postgres.engine import open_engine, session_factory
from adapters.postgres.graph_maps import PostgresProcessMaps
from adapters.postgres.graph_uow import PostgresGraphUnitOfWork
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.migrate import head_revision
from adapters.postgres.probe import PostgresDatabaseProbe
from application.graph.export import ExportGraph
from application.graph.importing import ImportLog
from application.graph.ingest import IngestGraph
from application.graph.process_map import GetProcessMap
from application.graph.queries import GetEntity, ListActivities, ListEntities
from application.graph.undo_merge import UndoMerge
from application.shared.check_readiness import CheckReadiness
from entrypoints.database import DatabaseEndpoints

# --- end graph ---
from entrypoints.settings import Settings


class RealAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    endpoints = providers.Dependency(instance_of=DatabaseEndpoints)

    engine = providers.Resource(open_engine, url=endpoints.provided.app)
    sessions = providers.Singleton(session_factory, engine)
    identity_uow = providers.Singleton(partial, PostgresIdentityUnitOfWork, sessions)
    database_probe = providers.Singleton(
        PostgresDatabaseProbe, engine, expected_revision=providers.Callable(head_revision)
    )
    clock = providers.Singleton(SystemClock)
    # --- graph ---
    graph_uow = providers.Singleton(partial, PostgresGraphUnitOfWork, sessions)
    process_maps = providers.Singleton(PostgresProcessMaps, sessions)
    import_board = providers.Singleton(ImportBoard)


class FakeAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    store = providers.Singleton(InMemoryStore)
    identity_uow = providers.Singleton(partial, FakeIdentityUnitOfWork, store)
    database_probe = providers.Singleton(FakeDatabaseProbe)
    clock = providers.Singleton(FrozenClock, at=providers.Callable(datetime.now, UTC))
    access_tokens = providers.Singleton(FakeAccessTokens)
    # --- graph ---
    graph_uow = providers.Singleton(partial, FakeGraphUnitOfWork, store)
    process_maps = providers.Singleton(FakeProcessMaps, store)
    import_board = providers.Singleton(ImportBoard)


class UseCases(containers.DeclarativeContainer):
    adapters = providers.DependenciesContainer()

    check_readiness = providers.Factory(CheckReadiness, probe=adapters.database_probe)
    # --- graph ---
    ingest_graph = providers.Factory(IngestGraph, uow_for=adapters.graph_uow, clock=adapters.clock)
    get_process_map = providers.Factory(
        GetProcessMap, maps=adapters.process_maps, uow_for=adapters.graph_uow
    )
    import_log = providers.Factory(
        ImportLog,
        uow_for=adapters.graph_uow,
        clock=adapters.clock,
        parsers=providers.Object(partial(SniffingParser, max_inflated=MAX_INFLATED_BYTES)),
        max_bytes=MAX_UPLOAD_BYTES,
    )
    export_graph = providers.Factory(ExportGraph, uow_for=adapters.graph_uow)
    list_entities = providers.Factory(ListEntities, uow_for=adapters.graph_uow)
    get_entity = providers.Factory(GetEntity, uow_for=adapters.graph_uow)
    list_activities = providers.Factory(ListActivities, uow_for=adapters.graph_uow)
    undo_merge = providers.Factory(UndoMerge, uow_for=adapters.graph_uow, clock=adapters.clock)


class Application(containers.DeclarativeContainer):
    """What the HTTP app and the CLI are given: settings, one adapter set, the use cases."""

    settings = providers.Dependency(instance_of=Settings)
    adapters = providers.DependenciesContainer()
    use_cases = providers.Container(UseCases, adapters=adapters)


def real_container(settings: Settings, endpoints: DatabaseEndpoints) -> Application:
    adapters = RealAdapters(settings=settings, endpoints=endpoints)
    return Application(settings=settings, adapters=adapters)


def fake_container(settings: Settings) -> Application:
    return Application(settings=settings, adapters=FakeAdapters(settings=settings))


async def start(container: Application) -> None:
    result = container.adapters().init_resources()
    if inspect.isawaitable(result):
        await result


async def stop(container: Application) -> None:
    result = container.adapters().shutdown_resources()
    if inspect.isawaitable(result):
        await result
