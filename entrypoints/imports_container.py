"""Imports as jobs (issue 14): where they are stored, and the use cases that request, run and
read them. The HTTP API requests; a worker runs (``graph.import`` on the PgQueuer queue)."""

from __future__ import annotations

import inspect
from functools import partial
from typing import Any

from dependency_injector import containers, providers
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.fakes.imports import FakeImportQueue, FakeImportsUnitOfWork

__all__ = ["FakeImportQueue", "ImportUseCases", "fake_imports_uow", "real_imports_uow"]
from adapters.fakes.store import InMemoryStore
from adapters.importers.formats import MAX_UPLOAD_BYTES
from adapters.postgres.imports import PostgresImportsUnitOfWork
from application.graph.import_jobs import ImportJob
from application.graph.import_requests import GetImport, RequestImport, RunImport


def real_imports_uow(sessions: async_sessionmaker[AsyncSession]) -> Any:
    return partial(PostgresImportsUnitOfWork, sessions)


def fake_imports_uow(store: InMemoryStore, queue: FakeImportQueue) -> Any:
    return partial(FakeImportsUnitOfWork, store, queue)


class ImportUseCases(containers.DeclarativeContainer):
    adapters = providers.DependenciesContainer()
    import_log: providers.Dependency[Any] = providers.Dependency()

    request_import = providers.Factory(
        RequestImport,
        uow_for=adapters.imports_uow,
        clock=adapters.clock,
        max_bytes=MAX_UPLOAD_BYTES,
    )
    get_import = providers.Factory(GetImport, uow_for=adapters.imports_uow)
    run_import = providers.Factory(
        RunImport, uow_for=adapters.imports_uow, import_log=import_log, clock=adapters.clock
    )


def run_fake_imports(adapters: Any, use_cases: Any) -> None:
    """The in-process harness's queue runs each import as the worker would."""

    async def run(job: ImportJob) -> object:
        built = use_cases.run_import()
        run_import: RunImport = await built if inspect.isawaitable(built) else built
        return await run_import.execute(job)

    adapters.import_queue().runner = run
