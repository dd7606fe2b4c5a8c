"""Google's endpoints: OAuth (auth, token, revoke) and the Gmail and Calendar APIs."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, post
from litestar.types import ControllerRouterHandler

from adapters.sandbox.oauth.revocation import revocation
from adapters.sandbox.oauth.routes import oauth_handlers
from adapters.sandbox.providers.google.calendar import calendar_router
from adapters.sandbox.providers.google.gmail import gmail_router
from adapters.sandbox.providers.google.profile import GoogleProfile
from adapters.sandbox.reply import Reply
from adapters.sandbox.sandbox import Sandbox

AnyRequest = Request[Any, Any, Any]


def build(sandbox: Sandbox) -> tuple[GoogleProfile, Router]:
    profile = GoogleProfile()
    handlers = oauth_handlers(sandbox, profile, authorize="/o/oauth2/v2/auth", token_path="/token")

    @post("/revoke", include_in_schema=False)
    async def revoke(request: AnyRequest) -> Response[bytes]:
        return (await _revoke(sandbox, request)).to_response()

    routes: list[ControllerRouterHandler] = [
        *handlers,
        revoke,
        gmail_router(),
        calendar_router(sandbox, profile),
    ]
    return profile, Router(path="/google", route_handlers=routes)


async def _revoke(sandbox: Sandbox, request: AnyRequest) -> Reply:
    asked = await revocation(sandbox, "google", request)
    if asked.family is None or asked.family.revoked:
        body = {"error": "invalid_token", "error_description": "Token expired or revoked"}
        return Reply(status=400, body=body)
    # Either token revokes the whole grant: its refresh token and every access token.
    sandbox.tokens.revoke_family(asked.family.id, "revoked by the client")
    sandbox.stats.count("google", asked.family.client_id, "tokens_revoked")
    return Reply(status=200, body={})
