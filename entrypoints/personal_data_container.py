"""The personal-data use cases (GDPR export and erasure, tenant export), wired to whichever
adapter set the application runs on, and the unit of work each adapter set provides."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from dependency_injector import containers, providers
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.fakes.personal_data import FakePersonalDataUnitOfWork
from adapters.fakes.store import InMemoryStore
from adapters.postgres.personal_data import PostgresPersonalDataUnitOfWork
from application.compliance.erase_person import EraseAccount
from application.compliance.personal_data_ports import PersonalDataUnitOfWork
from application.compliance.personal_export import ExportPersonalData
from application.compliance.tenant_export import ExportTenant
from application.shared.scope import Scope

UowFor = Callable[[Scope], PersonalDataUnitOfWork]


def postgres_uow(sessions: async_sessionmaker[AsyncSession]) -> UowFor:
    return partial(PostgresPersonalDataUnitOfWork, sessions)


def fake_uow(store: InMemoryStore) -> UowFor:
    return partial(FakePersonalDataUnitOfWork, store)


class PersonalData(containers.DeclarativeContainer):
    adapters = providers.DependenciesContainer()
    # Identity's: the same sessions (its cache of live sessions forgets the erased person),
    # the same throttle, and what leaves with a member (their grants and personal records).
    identity = providers.DependenciesContainer()

    export_personal_data = providers.Factory(
        ExportPersonalData, uow_for=adapters.personal_data_uow, sessions=identity.sessions
    )
    erase_account = providers.Factory(
        EraseAccount,
        uow_for=adapters.personal_data_uow,
        hasher=adapters.password_hasher,
        sessions=identity.sessions,
        throttle=identity.throttle,
        departure=identity.departure,
    )
    export_tenant = providers.Factory(
        ExportTenant,
        uow_for=adapters.identity_uow,
        integrations_uow_for=adapters.integrations_uow,
        sessions=identity.sessions,
    )
