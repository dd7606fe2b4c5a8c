"""The browser's side of connecting: open the start link, come back from the provider.

Neither takes a bearer token: both are top-level browser navigations. The start link binds the
browser with a ``__Host-`` cookie (HttpOnly, Secure, SameSite=Lax: Lax because the provider's
redirect back is a cross-site top-level GET, which Strict would strip of the cookie), and the
callback accepts only the browser that started. Both always answer with a 303: to the
provider, or back to the app with ``connection``, ``outcome`` and a stable ``reason``, never
with a token, a code or a state in the URL.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Router, get
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect

from application.integrations.complete_connection import Callback, CompleteConnection
from application.integrations.open_authorization import OpenAuthorization
from domain.integrations.flow import STATE_TTL, CallbackOutcome
from domain.shared.secret import Secret
from entrypoints.container import Application
from entrypoints.http.di import provide
from entrypoints.http.problems import problems
from entrypoints.integrations_wiring import OAuthLinks

BINDING_COOKIE = "__Host-atlas_oauth"
Param = Annotated[str | None, QueryParameter(required=False, max_length=4096)]
# "state" is a name Litestar reserves for the app's state: read the parameter under another.
StateParam = Annotated[str | None, QueryParameter(name="state", required=False, max_length=4096)]
_REDIRECTS = {
    303: ResponseSpec(data_container=None, description="To the provider, or back to the app"),
    **problems(),
}


class OAuthController(Controller):
    path = "/oauth"
    tags = ["Integrations"]

    @get("/start/{ticket:str}", status_code=303, responses=_REDIRECTS,
         summary="Open a start link: binds this browser, then goes to the provider")  # fmt: skip
    async def start(
        self,
        *,
        request: Request[Any, Any, Any],
        ticket: FromPath[str],
        oauth_links: NamedDependency[OAuthLinks],
        open_authorization: NamedDependency[OpenAuthorization],
    ) -> Redirect:
        opened = await open_authorization.execute(ticket, request.cookies.get(BINDING_COOKIE))
        if opened.provider_url is None or opened.binding is None:
            return _back(oauth_links, CallbackOutcome(outcome="error", reason=opened.refused or ""))
        cookie = Cookie(
            key=BINDING_COOKIE,
            value=opened.binding.reveal(),
            path="/",
            secure=True,
            httponly=True,
            samesite="lax",
            max_age=int(STATE_TTL.total_seconds()),
        )
        return Redirect(opened.provider_url.reveal(), status_code=303, cookies=[cookie])

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
