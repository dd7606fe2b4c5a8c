"""The three OAuth handlers every provider mounts: authorize page, consent decision, token."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from litestar import Request, Response, get, post
from litestar.handlers import HTTPRouteHandler

from adapters.sandbox.oauth.authorize import begin, decide
from adapters.sandbox.oauth.consent_page import error_page
from adapters.sandbox.oauth.params import query_pairs
from adapters.sandbox.oauth.profile import Profile
from adapters.sandbox.oauth.token_endpoint import token
from adapters.sandbox.sandbox import Sandbox

MAX_FORM = 16 * 1024


def oauth_handlers(
    sandbox: Sandbox, profile: Profile, *, authorize: str, token_path: str
) -> list[HTTPRouteHandler]:
    """``GET authorize`` shows the consent page, ``POST authorize`` takes the decision."""

    @get(authorize, include_in_schema=False)
    async def authorize_page(request: Request[Any, Any, Any]) -> Response[bytes]:
        action = sandbox.base_url(request, profile.name) + authorize
        return begin(sandbox, profile, query_pairs(request), action_url=action).to_response()

    @post(authorize, include_in_schema=False)
    async def consent_decision(request: Request[Any, Any, Any]) -> Response[bytes]:
        content_type = request.headers.get("content-type", "").split(";")[0].strip()
        body = await request.body()
        if content_type != "application/x-www-form-urlencoded" or len(body) > MAX_FORM:
            return error_page(400, "The consent form was not submitted as a form.").to_response()
        form = parse_qs(body.decode(), keep_blank_values=True)
        return decide(sandbox, profile, form).to_response()

    @post(token_path, include_in_schema=False)
    async def token_endpoint(request: Request[Any, Any, Any]) -> Response[bytes]:
        return (await token(sandbox, profile, request)).to_response()

    return [authorize_page, consent_decision, token_endpoint]
