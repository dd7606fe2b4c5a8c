"""A user's connections over HTTP: connect, list, show, reconnect, disconnect."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Router, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from application.integrations.connections import ListTenantConnections
from application.integrations.disconnect import DisconnectConnection
from application.integrations.start_connection import (
    StartConnection,
    StartConnectionCommand,
    StartedConnection,
)
from application.shared.actor import Actor
from application.shared.ports import Clock
from application.sync.queries import ListConnectionSyncs, ShowConnectionSync
from application.sync.share_connection import ShareConnection
from application.sync.sync_settings import ChangeSyncSettings
from entrypoints.container import Application
from entrypoints.http.auth import requires_actor, requires_connector, requires_manager
from entrypoints.http.controllers.integrations_schemas import (
    ConnectBody,
    ConnectionList,
    ConnectionView,
    DisconnectedView,
    StartedView,
    TenantConnectionView,
)
from entrypoints.http.controllers.sync_schemas import ConnectionPatch, SyncView
from entrypoints.http.di import provide
from entrypoints.http.problems import BEARER_REQUIRED, problems
from entrypoints.integrations_wiring import OAuthLinks

Purge = Annotated[bool, QueryParameter(required=False)]


class ConnectionController(Controller):
    path = "/connections"
    tags = ["Integrations"]
    guards = [requires_actor]
    security = BEARER_REQUIRED

    @post("/", summary="Start connecting a provider: returns the link to open in the browser",
          guards=[requires_connector], responses=problems(401, 403, 409, 422))  # fmt: skip
    async def connect(
        self,
        data: JSONBody[ConnectBody],
        actor: NamedDependency[Actor],
        start_connection: NamedDependency[StartConnection],
        oauth_links: NamedDependency[OAuthLinks],
    ) -> StartedView:
        command = StartConnectionCommand(provider=data.provider, subdomain=data.subdomain)
        return _started(oauth_links, await start_connection.execute(actor, command))

    @get("/", summary="My connections, each with its sync schedule and latest run",
         responses=problems(401))  # fmt: skip
    async def list_connections(
        self,
        actor: NamedDependency[Actor],
        list_connection_syncs: NamedDependency[ListConnectionSyncs],
        clock: NamedDependency[Clock],
    ) -> ConnectionList:
        found, now = await list_connection_syncs.execute(actor.scope), clock.now()
        return ConnectionList(
            items=[ConnectionView.of(s.connection, SyncView.of(s, now)) for s in found]
        )

    @get("/{connection_id:uuid}", summary="One of my connections, with its sync schedule and "
         "latest run", responses=problems(401, 404))  # fmt: skip
    async def show(
        self,
        connection_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        show_connection_sync: NamedDependency[ShowConnectionSync],
        clock: NamedDependency[Clock],
    ) -> ConnectionView:
        sync = await show_connection_sync.execute(actor.scope, connection_id)
        return ConnectionView.of(sync.connection, SyncView.of(sync, clock.now()))

    @patch("/{connection_id:uuid}", summary="Change a connection's sync settings, or share a "
           "personal connection's records with the tenant",
           guards=[requires_connector], responses=problems(401, 403, 404, 422))  # fmt: skip
    async def change(
        self,
        *,
        connection_id: FromPath[UUID],
        data: JSONBody[ConnectionPatch],
        actor: NamedDependency[Actor],
        change_sync_settings: NamedDependency[ChangeSyncSettings],
        share_connection: NamedDependency[ShareConnection],
        show_connection_sync: NamedDependency[ShowConnectionSync],
        clock: NamedDependency[Clock],
    ) -> ConnectionView:
        if data.backfill_days is not None:
            await change_sync_settings.execute(
                actor.scope, connection_id, backfill_days=data.backfill_days
            )
        if data.shared is not None:
            await share_connection.execute(actor.scope, connection_id, shared=data.shared)
        sync = await show_connection_sync.execute(actor.scope, connection_id)
        return ConnectionView.of(sync.connection, SyncView.of(sync, clock.now()))

    @post("/{connection_id:uuid}/reconnect", status_code=200,
          summary="Authorize again; the connection keeps its id",
          guards=[requires_connector], responses=problems(401, 403, 404, 409, 422))  # fmt: skip
    async def reconnect(
        self,
        connection_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        start_connection: NamedDependency[StartConnection],
        oauth_links: NamedDependency[OAuthLinks],
    ) -> StartedView:
        command = StartConnectionCommand(reconnect=connection_id)
        return _started(oauth_links, await start_connection.execute(actor, command))

    @delete("/{connection_id:uuid}", status_code=200,
            summary="Disconnect: revoke at the provider, delete the tokens; purge=true also "
            "deletes the graph records the connection brought",
            responses=problems(401, 404))  # fmt: skip
    async def disconnect(
        self,
        connection_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        disconnect_connection: NamedDependency[DisconnectConnection],
        purge: Purge = False,
    ) -> DisconnectedView:
        done = await disconnect_connection.execute(actor, connection_id, purge=purge)
        return DisconnectedView(connection=ConnectionView.of(done.connection), purged=done.purged)


def _started(links: OAuthLinks, started: StartedConnection) -> StartedView:
    return StartedView(
        connection_id=started.connection_id,
        provider=started.provider,
        authorization_url=links.start(started.start_ticket.reveal()),
        start_ticket=started.start_ticket.reveal(),
        provider_authorization_url=started.provider_authorization_url,
        expires_at=started.expires_at,
    )


class TenantConnectionsController(Controller):
    path = "/tenants/current/connections"
    tags = ["Integrations"]
    guards = [requires_actor, requires_manager]  # owners and admins
    security = BEARER_REQUIRED

    @get("/", summary="Every connection of the tenant: provider, owner, status, shared (owners "
         "and admins; never a record it brought)", responses=problems(401, 403))  # fmt: skip
    async def list_tenant_connections(
        self,
        actor: NamedDependency[Actor],
        list_tenant_connections: NamedDependency[ListTenantConnections],
    ) -> list[TenantConnectionView]:
        return [TenantConnectionView.of(c) for c in await list_tenant_connections.execute(actor)]


def routes(container: Application) -> Router:
    use_cases: Any = container.use_cases.integrations
    sync: Any = container.use_cases.sync
    shared: Any = container.adapters.integrations
    return Router(
        path="/api/v1",
        route_handlers=[ConnectionController, TenantConnectionsController],
        dependencies={
            "oauth_links": provide(shared.oauth_links),
            "start_connection": provide(use_cases.start_connection),
            "clock": provide(container.adapters.clock),
            "list_connection_syncs": provide(sync.list_connection_syncs),
            "show_connection_sync": provide(sync.show_connection_sync),
            "change_sync_settings": provide(sync.change_sync_settings),
            "share_connection": provide(sync.share_connection),
            "disconnect_connection": provide(use_cases.disconnect_connection),
            "list_tenant_connections": provide(use_cases.list_tenant_connections),
        },
    )
