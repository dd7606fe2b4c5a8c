"""The integrations' adapters both adapter sets share, and the integrations use cases."""

from __future__ import annotations

from typing import Any

from dependency_injector import containers, providers

from adapters.connectors.notices import LoggedReauthNotices
from adapters.connectors.oauth_client import HttpProviderClient
from adapters.crypto.flow_sealing import AesGcmFlowSealer
from application.graph.purge_scope import PurgeSourceScope
from application.identity.email_verification import EmailGate
from application.integrations.complete_connection import CompleteConnection
from application.integrations.connection_tokens import ConnectionTokens, RefreshPolicy
from application.integrations.connections import (
    ListConnections,
    ListProviders,
    ListTenantConnections,
    ShowConnection,
)
from application.integrations.departure import ReleaseMemberConnections
from application.integrations.disconnect import DisconnectConnection
from application.integrations.open_authorization import OpenAuthorization
from application.integrations.start_connection import StartConnection
from entrypoints import integrations_wiring as wiring
from entrypoints.settings import Settings


def refresh_policy(lock_timeout_seconds: float) -> RefreshPolicy:
    return RefreshPolicy(lock_timeout_seconds=lock_timeout_seconds)


class IntegrationsAdapters(containers.DeclarativeContainer):
    """The same on fakes and on PostgreSQL: the OAuth client is real in both (on fakes it
    talks to the sandbox in-process)."""

    settings = providers.Dependency(instance_of=Settings)
    sandbox = providers.Dependency(instance_of=object)  # the sandbox's provider: built on demand
    clock = providers.Dependency(instance_of=object)  # a Clock (a Protocol: not checkable)

    provider_directory = providers.Singleton(wiring.provider_directory, settings)
    # False in a worker process of its own: the sandbox is reached where the server mounts it.
    sandbox_in_process = providers.Object(True)
    provider_http = providers.Resource(wiring.provider_http, settings, sandbox, sandbox_in_process)
    provider_client = providers.Singleton(
        HttpProviderClient,
        provider_http,
        clock,
        deadline_seconds=settings.provided.integrations.token_endpoint_timeout_seconds,
    )
    flow_sealer = providers.Singleton(AesGcmFlowSealer)
    reauth_notices = providers.Singleton(LoggedReauthNotices)
    oauth_links = providers.Singleton(wiring.OAuthLinks, settings)  # for the HTTP layer
    refresh_policy = providers.Callable(
        refresh_policy, settings.provided.integrations.refresh_lock_timeout_seconds
    )


class IntegrationsUseCases(containers.DeclarativeContainer):
    adapters = providers.DependenciesContainer(integrations=providers.DependenciesContainer())
    _uow = adapters.integrations_uow
    _shared: Any = adapters.integrations  # the adapter set's IntegrationsAdapters

    list_providers = providers.Factory(ListProviders, providers=_shared.provider_directory)
    start_connection = providers.Factory(
        StartConnection,
        uow_for=_uow,
        providers=_shared.provider_directory,
        sealer=_shared.flow_sealer,
        clock=adapters.clock,
        verified_emails=providers.Factory(EmailGate, uow_for=adapters.identity_uow),
    )
    open_authorization = providers.Factory(
        OpenAuthorization, uow_for=_uow, sealer=_shared.flow_sealer, clock=adapters.clock
    )
    complete_connection = providers.Factory(
        CompleteConnection,
        uow_for=_uow,
        providers=_shared.provider_directory,
        client=_shared.provider_client,
        sealer=_shared.flow_sealer,
        vault=adapters.vault,
        clock=adapters.clock,
    )
    list_connections = providers.Factory(ListConnections, uow_for=_uow)
    show_connection = providers.Factory(ShowConnection, uow_for=_uow)
    list_tenant_connections = providers.Factory(ListTenantConnections, uow_for=_uow)
    purge_source_scope = providers.Factory(PurgeSourceScope, uow_for=adapters.graph_purge_uow)
    disconnect_connection = providers.Factory(
        DisconnectConnection,
        uow_for=_uow,
        providers=_shared.provider_directory,
        client=_shared.provider_client,
        vault=adapters.vault,
        purge=purge_source_scope,
        clock=adapters.clock,
        lock_timeout_seconds=_shared.refresh_policy.provided.lock_timeout_seconds,
    )
    member_departure = providers.Factory(
        ReleaseMemberConnections,
        uow_for=_uow,
        disconnect=disconnect_connection,
        purge=purge_source_scope,
    )
    # One per process: sync jobs share it (its state is all in the database).
    connection_tokens = providers.Singleton(
        ConnectionTokens,
        uow_for=_uow,
        vault=adapters.vault,
        providers=_shared.provider_directory,
        client=_shared.provider_client,
        notices=_shared.reauth_notices,
        metrics=adapters.metrics,
        clock=adapters.clock,
        policy=_shared.refresh_policy,
    )
