"""Jira Cloud's endpoints: 3LO authorize and token, accessible resources, and the site APIs."""

from __future__ import annotations

from litestar import Response, Router, get

from adapters.sandbox.bearer import authorized
from adapters.sandbox.context import AnyRequest, profile_of, sandbox_of
from adapters.sandbox.oauth.routes import oauth_handlers
from adapters.sandbox.providers.jira.api import cloud_id, site_router
from adapters.sandbox.providers.jira.profile import JiraProfile
from adapters.sandbox.reply import Reply
from adapters.sandbox.sandbox import Sandbox

SITE = "https://northwind-sandbox.atlassian.net"
AVATAR = "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png"


@get("/oauth/token/accessible-resources", include_in_schema=False)
async def resources(request: AnyRequest) -> Response[bytes]:
    sandbox = sandbox_of(request)
    family = authorized(sandbox, profile_of(request, "jira"), request)
    site = {
        "id": cloud_id(sandbox),
        "url": SITE,
        "name": "northwind-sandbox",
        "scopes": [s for s in family.scopes if s != "offline_access"],
        "avatarUrl": AVATAR,
    }
    return Reply(status=200, body=[site]).to_response()


def build(sandbox: Sandbox) -> tuple[JiraProfile, Router]:
    # No revocation endpoint: Atlassian has none for 3LO apps.
    profile = JiraProfile()
    handlers = oauth_handlers(sandbox, profile, authorize="/authorize", token_path="/oauth/token")
    return profile, Router(path="/jira", route_handlers=[*handlers, resources, site_router()])
