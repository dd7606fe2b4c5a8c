"""The browser's side of connecting: open the start ticket, come back from the provider.

Opening is an authenticated request of the member who started (the web app sends it after
showing which Atlas account and organisation the provider account will be linked to): a start
link sent to someone else connects nothing. Its answer binds the browser with a ``__Host-``
cookie (HttpOnly, Secure, SameSite=Lax: Lax because the provider's redirect back is a
cross-site top-level GET, which Strict would strip of the cookie), and the callback accepts
only the browser that opened. The callback always answers with a 303 back to the app with
``connection``, ``outcome`` and a stable ``reason``, never with a token, a code or a state in
the URL.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, Response, Router, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Redirect

from application.integrations.complete_connection import Callback, CompleteConnection
from application.integrations.open_authorization import OpenAuthorization
from application.shared.actor import Actor
from domain.integrations.flow import STATE_TTL, CallbackOutcome
from domain.shared.secret import Secret
from entrypoints.container import Application
from entrypoints.http.auth import requires_actor
from entrypoints.http.di import provide
from entrypoints.http.problems import BEARER_REQUIRED, problems
from entrypoints.integrations_wiring import OAuthLinks

BINDING_COOKIE = "__Host-atlas_oauth"
Param = Annotated[str | None, QueryParameter(required=False, max_length=4096)]
# "state" is a name Litestar reserves for the app's state: read the parameter under another.
StateParam = Annotated[str | None, QueryParameter(name="state", required=False, max_length=4096)]
Ticket = Annotated[str, msgspec.Meta(min_length=1, max_length=400)]


class OpenStartBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    ticket: Ticket  # from the start link's fragment, or the start answer's ``start_ticket``


class OpenedStartView(msgspec.Struct, frozen=True, kw_only=True):
    provider_url: str  # send the browser here, top-level; it comes back to the callback
    provider: str
    connection_id: str


_REDIRECTS = {
    303: ResponseSpec(data_container=None, description="To the provider, or back to the app"),
    **problems(),
}


class OAuthController(Controller):
    path = "/oauth"
    tags = ["Integrations"]

    @get("/start/{ticket:str}", status_code=303, responses=_REDIRECTS,
         summary="A start link followed in a browser: stores nothing, goes to the app's "
         "confirmation, where only the member who started can go on")  # fmt: skip
    async def follow_start_link(
        self, *, ticket: FromPath[str], oauth_links: NamedDependency[OAuthLinks]
    ) -> Redirect:
        return Redirect(oauth_links.start(ticket), status_code=303)

    @post("/start", status_code=200, guards=[requires_actor], security=BEARER_REQUIRED,
          responses=problems(401, 403, 404, 422),
          summary="The member who started opens their start ticket: binds this browser, "
          "answers where to send it")  # fmt: skip
    async def open_start(
        self,
        *,
        request: Request[Any, Any, Any],
        data: JSONBody[OpenStartBody],
        actor: NamedDependency[Actor],
        open_authorization: NamedDependency[OpenAuthorization],
    ) -> Response[OpenedStartView]:
        browser = request.cookies.get(BINDING_COOKIE)
        opened = await open_authorization.execute(actor, data.ticket, browser)
        cookie = Cookie(
            key=BINDING_COOKIE,
            value=opened.binding.reveal(),
            path="/",
            secure=True,
            httponly=True,
            samesite="lax",
            max_age=int(STATE_TTL.total_seconds()),
        )
        view = OpenedStartView(
            provider_url=opened.provider_url.reveal(),
            provider=opened.provider,
            connection_id=opened.connection_id,
        )
        return Response(view, cookies=[cookie], headers={"Cache-Control": "no-store"})

    @get("/callback/{platform:str}", status_code=303, responses=_REDIRECTS,
         summary="Providers send the browser back here; it goes on to the app")  # fmt: skip
    async def callback(
        self,
        *,
        request: Request[Any, Any, Any],
        platform: FromPath[str],
        oauth_links: NamedDependency[OAuthLinks],
        complete_connection: NamedDependency[CompleteConnection],
        code: Param = None,
        oauth_state: StateParam = None,
        error: Param = None,
        iss: Param = None,
    ) -> Redirect:
        browser = request.cookies.get(BINDING_COOKIE)
        outcome = await complete_connection.execute(
            Callback(
                platform=platform,
                state=Secret(oauth_state) if oauth_state else None,
                code=Secret(code) if code else None,
                error=error[:64] if error else None,
                iss=iss,
                browser=Secret(browser) if browser else None,
            )
        )
        return _back(oauth_links, outcome)


def _back(links: OAuthLinks, outcome: CallbackOutcome) -> Redirect:
    params = {"outcome": outcome.outcome, "reason": outcome.reason}
    if outcome.connection_id is not None:
        params = {"connection": str(outcome.connection_id), **params}
    target = links.return_url
    separator = "&" if "?" in target else "?"
    return Redirect(f"{target}{separator}{urlencode(params)}", status_code=303)


def routes(container: Application) -> Router:
    use_cases: Any = container.use_cases.integrations
    shared: Any = container.adapters.integrations
    return Router(
        path="/api/v1",
        route_handlers=[OAuthController],
        dependencies={
            "oauth_links": provide(shared.oauth_links),
            "open_authorization": provide(use_cases.open_authorization),
            "complete_connection": provide(use_cases.complete_connection),
        },
    )
