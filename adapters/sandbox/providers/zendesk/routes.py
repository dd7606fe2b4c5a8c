"""Zendesk's endpoints: OAuth, token revocation, incremental exports, users, organizations."""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta
from typing import Any

from litestar import Request, Response, Router, delete, get

from adapters.sandbox.bearer import authorized, bearer_token
from adapters.sandbox.oauth.routes import oauth_handlers
from adapters.sandbox.providers.zendesk import events, export, single
from adapters.sandbox.providers.zendesk.profile import ZendeskProfile
from adapters.sandbox.reply import ProviderError, Reply
from adapters.sandbox.sandbox import Sandbox

AnyRequest = Request[Any, Any, Any]
READ = ("read", "tickets:read")


class ExportThrottle:
    """Zendesk's incremental exports allow N requests a minute per client, then 429."""

    def __init__(self, sandbox: Sandbox, per_minute: int | None) -> None:
        self._sandbox, self._per_minute = sandbox, per_minute
        self._lock = threading.Lock()
        self._seen: dict[str, deque[datetime]] = {}

    def admit(self, client_id: str, profile: ZendeskProfile) -> None:
        if self._per_minute is None:
            return
        now = self._sandbox.clock.now()
        with self._lock:
            window = self._seen.setdefault(client_id, deque())
            while window and now - window[0] >= timedelta(minutes=1):
                window.popleft()
            if len(window) >= self._per_minute:
                wait = 60 - int((now - window[0]).total_seconds())
                raise ProviderError(profile.throttled(str(max(1, wait))))
            window.append(now)


def build(sandbox: Sandbox) -> tuple[ZendeskProfile, Router]:
    profile = ZendeskProfile()
    throttle = ExportThrottle(sandbox, sandbox.config.zendesk_export_per_minute)
    handlers = oauth_handlers(
        sandbox, profile, authorize="/oauth/authorizations/new", token_path="/oauth/tokens"
    )

    def api_base(request: AnyRequest) -> str:
        return sandbox.base_url(request, "zendesk") + "/api/v2"

    @get("/api/v2/incremental/tickets/cursor.json", include_in_schema=False)
    async def tickets(request: AnyRequest) -> Response[bytes]:
        family = authorized(sandbox, profile, request, *READ)
        throttle.admit(family.client_id, profile)
        return export.ticket_cursor_export(sandbox, request, api_base(request)).to_response()

    @get("/api/v2/incremental/ticket_events.json", include_in_schema=False)
    async def ticket_events(request: AnyRequest) -> Response[bytes]:
        family = authorized(sandbox, profile, request, *READ)
        throttle.admit(family.client_id, profile)
        return events.ticket_events(sandbox, request, api_base(request)).to_response()

    @get("/api/v2/users.json", include_in_schema=False)
    async def users(request: AnyRequest) -> Response[bytes]:
        authorized(sandbox, profile, request, "read", "users:read")
        return export.users(sandbox, request, api_base(request)).to_response()

    @get("/api/v2/organizations.json", include_in_schema=False)
    async def organizations(request: AnyRequest) -> Response[bytes]:
        authorized(sandbox, profile, request, "read", "organizations:read")
        return export.organizations(sandbox, request, api_base(request)).to_response()

    @delete("/api/v2/oauth/tokens/current.json", include_in_schema=False, status_code=200)
    async def revoke(request: AnyRequest) -> Response[bytes]:
        family = authorized(sandbox, profile, request)
        sandbox.stats.count("zendesk", family.client_id, "revocation_calls")
        # The current access token and the refresh token issued with it.
        sandbox.tokens.revoke_access(bearer_token(request) or "", with_pair=True)
        sandbox.stats.count("zendesk", family.client_id, "tokens_revoked")
        return Reply(status=204, media_type="text/plain").to_response()

    routes = [*handlers, tickets, ticket_events, users, organizations, revoke]
    routes += single.handlers(sandbox, profile, api_base)
    return profile, Router(path="/zendesk", route_handlers=routes)
