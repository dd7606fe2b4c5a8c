"""The integrations use cases, wired to whichever adapter set the application runs on."""

from __future__ import annotations

from dependency_injector import containers, providers

from application.graph.purge_scope import PurgeSourceScope
from application.integrations.complete_connection import CompleteConnection
from application.integrations.connections import ListConnections, ListProviders, ShowConnection
from application.integrations.disconnect import DisconnectConnection
from application.integrations.open_authorization import OpenAuthorization
from application.integrations.start_connection import StartConnection
from application.integrations.token_manager import RefreshPolicy, TokenManager


def refresh_policy(lock_timeout_seconds: float) -> RefreshPolicy:
    return RefreshPolicy(lock_timeout_seconds=lock_timeout_seconds)


class IntegrationsUseCases(containers.DeclarativeContainer):
    adapters = providers.DependenciesContainer()
    _uow = adapters.integrations_uow

    list_providers = providers.Factory(ListProviders, providers=adapters.provider_directory)
    start_connection = providers.Factory(
        StartConnection,
        uow_for=_uow,
        providers=adapters.provider_directory,
        sealer=adapters.flow_sealer,
        clock=adapters.clock,
    )
    open_authorization = providers.Factory(
        OpenAuthorization, uow_for=_uow, sealer=adapters.flow_sealer, clock=adapters.clock
    )
    complete_connection = providers.Factory(
        CompleteConnection,
        uow_for=_uow,
        providers=adapters.provider_directory,
        client=adapters.provider_client,
        sealer=adapters.flow_sealer,
        vault=adapters.vault,
        clock=adapters.clock,
    )
    list_connections = providers.Factory(ListConnections, uow_for=_uow)
    show_connection = providers.Factory(ShowConnection, uow_for=_uow)
    purge_source_scope = providers.Factory(PurgeSourceScope, uow_for=adapters.graph_purge_uow)
    disconnect_connection = providers.Factory(
        DisconnectConnection,
        uow_for=_uow,
        providers=adapters.provider_directory,
        client=adapters.provider_client,
        vault=adapters.vault,
        purge=purge_source_scope,
        clock=adapters.clock,
    )
    # One per process: sync jobs share it (its state is all in the database).
    token_manager = providers.Singleton(
        TokenManager,
        uow_for=_uow,
        vault=adapters.vault,
        providers=adapters.provider_directory,
        client=adapters.provider_client,
        notices=adapters.reauth_notices,
        clock=adapters.clock,
        policy=adapters.refresh_policy,
    )
