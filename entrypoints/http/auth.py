"""Authentication and authorisation at the HTTP edge: the ``actor`` dependency and role guards.

Every authenticated handler takes ``actor: NamedDependency[Actor]`` (registered app-wide by
``create_app``); the tenant comes only from the verified token, never from the path or a header.
Guards run before dependencies in Litestar, so both go through ``authenticate``, which verifies
the token once per request and keeps the actor in the request's scope state.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.handlers.base import BaseRouteHandler

from application.identity.confirm_session import ConfirmSession
from application.identity.ports import AccessTokenVerifier
from application.shared.actor import Actor
from application.shared.request_context import note
from domain.identity.errors import InvalidAccessToken, RoleRequired
from domain.identity.model import Role
from entrypoints.http.di import resolve

VERIFIER_STATE_KEY = "access_token_verifier"  # app.state: the verifier's provider
CONFIRMER_STATE_KEY = "session_confirmer"  # app.state: the ConfirmSession use case's provider
# A handler that must work for an ended session too (logout is idempotent) sets this opt.
ALLOWS_ENDED_SESSION = "allows_ended_session"
_ACTOR_KEY = "atlas.actor"  # request scope state: the actor, once verified

Connection = ASGIConnection[Any, Any, Any, Any]
Guard = Callable[[Connection, BaseRouteHandler], Awaitable[None]]


def bearer_token(connection: Connection) -> str:
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidAccessToken()
    return token.strip()


async def authenticate(connection: Connection) -> Actor:
    state = connection.scope.setdefault("state", {})
    cached = state.get(_ACTOR_KEY)
    if isinstance(cached, Actor):
        return cached
    verifier: AccessTokenVerifier = await resolve(connection.app.state[VERIFIER_STATE_KEY])
    actor = verifier.verify(bearer_token(connection))
    handler = connection.scope.get("route_handler")
    if not (handler is not None and handler.opt.get(ALLOWS_ENDED_SESSION)):
        # The token's signature proves who; only the database knows whether the session is
        # still live and which role the user holds now.
        confirmer: ConfirmSession = await resolve(connection.app.state[CONFIRMER_STATE_KEY])
        actor = await confirmer.execute(actor)
    state[_ACTOR_KEY] = actor
    note(tenant_id=str(actor.tenant_id))  # the logs' tenant: an opaque id, never a name
    return actor


async def _actor(request: Connection) -> Actor:
    return await authenticate(request)


def actor_dependency() -> Provide:
    return Provide(_actor)


def requires_role(*roles: Role) -> Guard:
    allowed = frozenset(roles)

    async def guard(connection: Connection, _: BaseRouteHandler) -> None:
        actor = await authenticate(connection)
        if actor.role not in allowed:
            raise RoleRequired()

    return guard


# A viewer reads the graph; connecting, syncing and changing sources are for the other roles.
requires_connector = requires_role(*(r for r in Role if r.connects_sources))
requires_exporter = requires_role(*(r for r in Role if r.exports_tenant))
requires_manager = requires_role(*(r for r in Role if r.manages_members))


async def requires_actor(connection: Connection, _: BaseRouteHandler) -> None:
    """For controllers whose every handler needs a signed-in actor, whatever the role."""
    await authenticate(connection)
