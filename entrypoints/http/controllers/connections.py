"""A user's connections over HTTP: connect, list, show, reconnect, disconnect."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Router, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from application.integrations.connections import ListConnections, ShowConnection
from application.integrations.disconnect import DisconnectConnection
from application.integrations.start_connection import (
    StartConnection,
    StartConnectionCommand,
    StartedConnection,
)
from application.shared.actor import Actor
from entrypoints.container import Application
from entrypoints.http.auth import requires_actor
from entrypoints.http.controllers.integrations_schemas import (
    ConnectBody,
    ConnectionList,
    ConnectionView,
    DisconnectedView,
    StartedView,
)
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
          responses=problems(401, 409, 422))  # fmt: skip
    async def connect(
        self,
        data: JSONBody[ConnectBody],
        actor: NamedDependency[Actor],
        start_connection: NamedDependency[StartConnection],
        oauth_links: NamedDependency[OAuthLinks],
    ) -> StartedView:
        command = StartConnectionCommand(provider=data.provider, subdomain=data.subdomain)
        return _started(oauth_links, await start_connection.execute(actor, command))

    @get("/", summary="My connections", responses=problems(401))
    async def list_connections(
        self, actor: NamedDependency[Actor], list_connections: NamedDependency[ListConnections]
    ) -> ConnectionList:
        found = await list_connections.execute(actor)
        return ConnectionList(items=[ConnectionView.of(c) for c in found])

    @get("/{connection_id:uuid}", summary="One of my connections", responses=problems(401, 404))
    async def show(
        self,
        connection_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        show_connection: NamedDependency[ShowConnection],
    ) -> ConnectionView:
        return ConnectionView.of(await show_connection.execute(actor, connection_id))

    @post("/{connection_id:uuid}/reconnect", status_code=200,
          summary="Authorize again; the connection keeps its id",
          responses=problems(401, 404, 409, 422))  # fmt: skip
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
        provider_authorization_url=started.provider_authorization_url,
        expires_at=started.expires_at,
    )


def routes(container: Application) -> Router:
    use_cases: Any = container.use_cases.integrations
    shared: Any = container.adapters.integrations
    return Router(
        path="/api/v1",
        route_handlers=[ConnectionController],
        dependencies={
            "oauth_links": provide(shared.oauth_links),
            "start_connection": provide(use_cases.start_connection),
            "list_connections": provide(use_cases.list_connections),
            "show_connection": provide(use_cases.show_connection),
            "disconnect_connection": provide(use_cases.disconnect_connection),
        },
    )
