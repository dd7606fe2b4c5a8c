"""Tenant deletion's adapters (one set per store) and use cases, wired into the container."""

from __future__ import annotations

from functools import partial
from typing import Any

from dependency_injector import containers, providers

from adapters.fakes.tenant_deletion import FakePurgeCensus, FakeTenantDeletionUnitOfWork
from adapters.postgres.tenant_deletion import PostgresPurgeCensus, PostgresTenantDeletionUnitOfWork
from application.compliance.delete_tenant import DeleteTenant
from application.compliance.owner_check import OwnerCheck
from application.compliance.purge_tenants import PurgeTenants
from application.compliance.restore_tenant import RestoreTenant
from application.identity.limits import Throttle
from application.identity.sessions import Sessions


class PostgresAdapters(containers.DeclarativeContainer):
    sessions = providers.Dependency(instance_of=object)
    uow_for = providers.Singleton(partial, PostgresTenantDeletionUnitOfWork, sessions)
    census = providers.Singleton(PostgresPurgeCensus, sessions)


class FakeAdapters(containers.DeclarativeContainer):
    store = providers.Dependency(instance_of=object)
    uow_for = providers.Singleton(partial, FakeTenantDeletionUnitOfWork, store)
    census = providers.Singleton(FakePurgeCensus, store)


class UseCases(containers.DeclarativeContainer):
    adapters = providers.DependenciesContainer(tenant_deletion=providers.DependenciesContainer())
    integrations = providers.DependenciesContainer()
    _own: Any = adapters.tenant_deletion

    # Its own Sessions (only to check that the session is live) and Throttle (stateless): the
    # password failures count in the same rate-limit buckets as a password change's.
    sessions = providers.Singleton(
        Sessions,
        tokens=adapters.access_tokens,
        clock=adapters.clock,
        policy=adapters.session_policy,
    )
    owner_check = providers.Factory(
        OwnerCheck,
        uow_for=adapters.identity_uow,
        hasher=adapters.password_hasher,
        sessions=sessions,
        throttle=providers.Singleton(Throttle, adapters.rate_limiter),
    )
    delete_tenant = providers.Factory(
        DeleteTenant, uow_for=_own.uow_for, owner_check=owner_check, clock=adapters.clock
    )
    restore_tenant = providers.Factory(
        RestoreTenant, uow_for=_own.uow_for, owner_check=owner_check, clock=adapters.clock
    )
    purge_tenants = providers.Factory(
        PurgeTenants,
        census=_own.census,
        uow_for=_own.uow_for,
        disconnect=integrations.disconnect_connection,
        clock=adapters.clock,
    )
