"""HubSpot's endpoints: OAuth v3 (2026-03), CRM v3 objects and search, v4 associations."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, post
from litestar.types import ControllerRouterHandler

from adapters.sandbox.oauth.params import body_values
from adapters.sandbox.oauth.refusal import Refused
from adapters.sandbox.oauth.routes import oauth_handlers
from adapters.sandbox.oauth.token_endpoint import authenticate_client
from adapters.sandbox.providers.hubspot import records
from adapters.sandbox.providers.hubspot.crm import crm_router
from adapters.sandbox.providers.hubspot.profile import HUB_ID, HubSpotProfile, correlation
from adapters.sandbox.reply import ProviderError, Reply
from adapters.sandbox.sandbox import Sandbox

AnyRequest = Request[Any, Any, Any]
OAUTH = "/oauth/2026-03/token"


def build(sandbox: Sandbox) -> tuple[HubSpotProfile, Router]:
    profile = HubSpotProfile()
    handlers = oauth_handlers(sandbox, profile, authorize="/oauth/authorize", token_path=OAUTH)

    @post(f"{OAUTH}/revoke", include_in_schema=False)
    async def revoke(request: AnyRequest) -> Response[bytes]:
        return (await _revoke(sandbox, profile, request)).to_response()

    @post(f"{OAUTH}/introspect", include_in_schema=False)
    async def introspect(request: AnyRequest) -> Response[bytes]:
        return (await _introspect(sandbox, profile, request)).to_response()

    routes: list[ControllerRouterHandler] = [*handlers, revoke, introspect, crm_router()]
    return profile, Router(path="/hubspot", route_handlers=routes)


async def _client_and_token(sandbox: Sandbox, profile: HubSpotProfile, request: AnyRequest) -> str:
    try:
        params = await body_values(request, json_ok=False)
        authenticate_client(sandbox, profile, request, params)
    except Refused as refused:
        raise ProviderError(profile.token_error(refused)) from None
    return params.get("token", "")


async def _revoke(sandbox: Sandbox, profile: HubSpotProfile, request: AnyRequest) -> Reply:
    value = await _client_and_token(sandbox, profile, request)
    found = sandbox.tokens.family_of(value)
    client = found[1].client_id if found else "unknown"
    sandbox.stats.count("hubspot", client, "revocation_calls")
    if found is None:
        body = {
            "status": "BAD_REFRESH_TOKEN",
            "message": "missing or unknown token",
            "correlationId": correlation(),
        }
        return Reply(status=400, body=body)
    # HubSpot deletes the refresh token; access tokens already issued run out on their own.
    revoked = (
        sandbox.tokens.revoke_refresh(value)
        if found[0] == "refresh"
        else sandbox.tokens.revoke_access(value)
    )
    if revoked:
        sandbox.stats.count("hubspot", client, "tokens_revoked")
    return Reply(status=204, media_type="text/plain")


async def _introspect(sandbox: Sandbox, profile: HubSpotProfile, request: AnyRequest) -> Reply:
    value = await _client_and_token(sandbox, profile, request)
    found = sandbox.tokens.family_of(value)
    if found is None or found[1].revoked:
        return Reply(status=200, body={"active": False})
    kind, family = found
    person = sandbox.dataset.person(family.subject)
    body: dict[str, Any] = {
        "active": True,
        "token_type": kind,
        "hub_id": HUB_ID,
        "user": family.subject,
        "user_id": int(records.owner_id(person.key if person else 0)),
        "scopes": list(family.scopes),
        "client_id": family.client_id,
    }
    expires = sandbox.tokens.expires_at(value) if kind == "access" else None
    if expires is not None:
        remaining = int((expires - sandbox.clock.now()).total_seconds())
        if remaining <= 0:
            return Reply(status=200, body={"active": False})
        body["expires_in"] = remaining
    return Reply(status=200, body=body)
