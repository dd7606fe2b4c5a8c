"""``/api/v1/auth``: sign up, sign in, refresh, sign out, switch tenant, change password."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, Router, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency, Provide
from litestar.exceptions import ValidationException
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from application.identity.accept_invitation import AcceptInvitation, AcceptInvitationCommand
from application.identity.change_password import ChangePassword, ChangePasswordCommand
from application.identity.log_in import LogIn, LogInCommand
from application.identity.log_out import LogOut, LogOutEverywhere
from application.identity.refresh_session import RefreshSession
from application.identity.sessions import Client, TokenPair
from application.identity.sign_up import SignUp, SignUpCommand
from application.identity.switch_tenant import SwitchTenant
from application.shared.actor import Actor
from domain.identity.errors import InvalidRefreshToken
from domain.shared.secret import Secret
from entrypoints.container import Application
from entrypoints.http.auth import ALLOWS_ENDED_SESSION, requires_actor
from entrypoints.http.browser_session import BrowserSessions
from entrypoints.http.client import client_of
from entrypoints.http.controllers import auth_sessions
from entrypoints.http.controllers.identity_schemas import (
    AcceptInvitationBody,
    ChangePasswordBody,
    LogInBody,
    RefreshBody,
    SignUpBody,
    SwitchTenantBody,
    Tokens,
)
from entrypoints.http.di import provide
from entrypoints.http.problems import BEARER_REQUIRED, problems

NO_SESSION = {204: ResponseSpec(data_container=None, description="This browser has no session")}
# The browser drops what it kept for this origin when the session ends (R6.1).
CLEAR_SITE_DATA = ResponseHeader(name="Clear-Site-Data", value='"cache", "cookies", "storage"')
Request_ = Request[Any, Any, Any]


def _tokens(request: Request_, browser: BrowserSessions, web: bool, pair: TokenPair) -> Tokens:
    """The same JSON for everyone; the browser app's refresh token goes in its cookie instead."""
    if web:
        browser.keep(request, pair.refresh_token.reveal())
    return Tokens.of(pair, web=web)


class SignInController(Controller):
    """The doors that need no token: rate limited per address and per account."""

    path = "/auth"
    tags = ["Authentication"]

    @post("/signup", status_code=HTTP_201_CREATED, responses=problems(409, 422, 429, 503))
    async def sign_up(
        self,
        request: Request_,
        data: JSONBody[SignUpBody],
        sign_up: NamedDependency[SignUp],
        client: NamedDependency[Client],
        browser: NamedDependency[BrowserSessions],
    ) -> Tokens:
        """Create an account and its organisation (you are its owner), and sign in."""
        web = browser.is_web(request)
        command = SignUpCommand(
            email=data.email,
            password=Secret(data.password),
            name=data.name,
            organisation=data.organisation,
            region=data.region,
        )
        return _tokens(request, browser, web, await sign_up.execute(command, client))

    @post("/login", status_code=HTTP_200_OK, responses=problems(401, 403, 404, 409, 429, 503))
    async def log_in(
        self,
        request: Request_,
        data: JSONBody[LogInBody],
        log_in: NamedDependency[LogIn],
        client: NamedDependency[Client],
        browser: NamedDependency[BrowserSessions],
    ) -> Tokens:
        """Sign in; ``tenant_id`` picks one of your tenants (default: the first by name)."""
        web = browser.is_web(request)
        command = LogInCommand(
            email=data.email, password=Secret(data.password), tenant_id=data.tenant_id
        )
        return _tokens(request, browser, web, await log_in.execute(command, client))

    @post("/refresh", status_code=HTTP_200_OK, responses={**problems(401, 409, 429), **NO_SESSION})
    async def refresh(
        self,
        request: Request_,
        data: JSONBody[RefreshBody],
        refresh_session: NamedDependency[RefreshSession],
        client: NamedDependency[Client],
        browser: NamedDependency[BrowserSessions],
    ) -> Response[Tokens | None]:
        """Exchange a refresh token (once) for a new pair; a reused token ends the session.
        The browser app (``X-Atlas-Client: web``) sends ``{}``: its token is in its cookie, and
        a browser with no cookie at all gets 204 (nobody is signed in here: not an error)."""
        web = browser.is_web(request)
        token = data.refresh_token
        if token is None and not web:
            raise ValidationException("refresh_token is required")
        if token is None:
            token = browser.cookie(request)  # the one place the cookie is ever read
            if token is None:
                return Response(None, status_code=HTTP_204_NO_CONTENT)
        try:
            pair = await refresh_session.execute(Secret(token), client)
        except InvalidRefreshToken:
            if web:
                browser.clear(request)  # reused, revoked, expired or missing: it is dead
            raise
        return Response(_tokens(request, browser, web, pair))

    @post(
        "/invitations/accept",
        status_code=HTTP_200_OK,
        responses=problems(401, 404, 409, 422, 429, 503),
    )
    async def accept_invitation(
        self,
        request: Request_,
        data: JSONBody[AcceptInvitationBody],
        accept_invitation: NamedDependency[AcceptInvitation],
        client: NamedDependency[Client],
        browser: NamedDependency[BrowserSessions],
    ) -> Tokens:
        """Join a tenant from an emailed invitation (new accounts give a name too)."""
        web = browser.is_web(request)
        command = AcceptInvitationCommand(
            token=Secret(data.token), password=Secret(data.password), name=data.name
        )
        pair = await accept_invitation.execute(command, client)
        return _tokens(request, browser, web, pair)


class SessionController(Controller):
    """What a signed-in session does to itself."""

    path = "/auth"
    tags = ["Authentication"]
    guards = [requires_actor]
    security = BEARER_REQUIRED

    @post(
        "/logout",
        status_code=HTTP_204_NO_CONTENT,
        responses=problems(401),
        response_headers=[CLEAR_SITE_DATA],
        opt={ALLOWS_ENDED_SESSION: True},  # signing out twice is not an error
    )
    async def log_out(
        self,
        request: Request_,
        actor: NamedDependency[Actor],
        log_out: NamedDependency[LogOut],
        browser: NamedDependency[BrowserSessions],
    ) -> None:
        """End this session: its refresh token stops working."""
        await log_out.execute(actor)
        browser.clear_if_web(request)

    @post(
        "/logout-all",
        status_code=HTTP_204_NO_CONTENT,
        responses=problems(401),
        response_headers=[CLEAR_SITE_DATA],
    )
    async def log_out_everywhere(
        self,
        request: Request_,
        actor: NamedDependency[Actor],
        log_out_everywhere: NamedDependency[LogOutEverywhere],
        browser: NamedDependency[BrowserSessions],
    ) -> None:
        """End every session of this account, in every tenant."""
        await log_out_everywhere.execute(actor)
        browser.clear_if_web(request)

    @post("/switch-tenant", status_code=HTTP_200_OK, responses=problems(401, 404, 409))
    async def switch_tenant(
        self,
        request: Request_,
        data: JSONBody[SwitchTenantBody],
        actor: NamedDependency[Actor],
        switch_tenant: NamedDependency[SwitchTenant],
        browser: NamedDependency[BrowserSessions],
    ) -> Tokens:
        """Move this session to another of your tenants (the old tokens stop working)."""
        web = browser.is_web(request)
        pair = await switch_tenant.execute(actor, data.tenant_id)
        return _tokens(request, browser, web, pair)

    @post("/password", status_code=HTTP_204_NO_CONTENT, responses=problems(401, 403, 422, 429, 503))
    async def change_password(
        self,
        data: JSONBody[ChangePasswordBody],
        actor: NamedDependency[Actor],
        change_password: NamedDependency[ChangePassword],
        client: NamedDependency[Client],
    ) -> None:
        """Change your password; every other session of the account ends."""
        command = ChangePasswordCommand(
            current_password=Secret(data.current_password), new_password=Secret(data.new_password)
        )
        await change_password.execute(actor, command, client)


def routes(container: Application) -> Router:
    identity: Any = container.use_cases.identity
    settings = container.settings()
    trusted = settings.identity.trusted_proxies
    browser = BrowserSessions(
        origins=settings.app_origins,
        max_age=int(settings.identity.sessions.idle_timeout.total_seconds()),
    )

    async def client(request: Request[Any, Any, Any]) -> Client:
        return client_of(request, trusted)

    return Router(
        path="/api/v1",
        route_handlers=[SignInController, SessionController, auth_sessions.SessionsController],
        dependencies={
            "client": Provide(client),
            "browser": Provide(lambda: browser, sync_to_thread=False),
            "list_sessions": provide(identity.list_sessions),
            "sign_up": provide(identity.sign_up),
            "log_in": provide(identity.log_in),
            "refresh_session": provide(identity.refresh_session),
            "accept_invitation": provide(identity.accept_invitation),
            "log_out": provide(identity.log_out),
            "log_out_everywhere": provide(identity.log_out_everywhere),
            "switch_tenant": provide(identity.switch_tenant),
            "change_password": provide(identity.change_password),
        },
    )
