"""Verifying a new account's email address: following the emailed link, and asking for a new
one (application/identity/email_verification.py)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Router, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from application.identity.email_verification import (
    ResendEmailVerification,
    VerifyEmail,
    VerifyEmailCommand,
)
from application.identity.sessions import Client
from application.shared.actor import Actor
from domain.shared.secret import Secret
from entrypoints.container import Application
from entrypoints.http.auth import requires_actor
from entrypoints.http.client import client_of
from entrypoints.http.controllers.identity_schemas import VerifyEmailBody
from entrypoints.http.di import provide
from entrypoints.http.problems import BEARER_REQUIRED, problems


class VerifyEmailController(Controller):
    path = "/auth"
    tags = ["Authentication"]

    @post("/verify-email", status_code=HTTP_204_NO_CONTENT, responses=problems(404, 422, 429))
    async def verify(
        self,
        data: JSONBody[VerifyEmailBody],
        verify_email: NamedDependency[VerifyEmail],
        client: NamedDependency[Client],
    ) -> None:
        """Verify your email address with the token from the emailed link (single use, 24
        hours). Needs no session: the link may be opened on another device."""
        await verify_email.execute(VerifyEmailCommand(token=Secret(data.token)), client)


class EmailVerificationController(Controller):
    path = "/me"
    tags = ["Account"]
    guards = [requires_actor]
    security = BEARER_REQUIRED

    @post(
        "/email-verification",
        status_code=HTTP_202_ACCEPTED,
        responses=problems(401, 409, 429, 503),
    )
    async def resend(
        self,
        actor: NamedDependency[Actor],
        resend_email_verification: NamedDependency[ResendEmailVerification],
    ) -> None:
        """Email a new verification link (the earlier one stops working); a few per hour."""
        await resend_email_verification.execute(actor)


def routes(container: Application) -> Router:
    identity: Any = container.use_cases.identity
    trusted = container.settings().identity.trusted_proxies

    async def client(request: Request[Any, Any, Any]) -> Client:
        return client_of(request, trusted)

    return Router(
        path="/api/v1",
        route_handlers=[VerifyEmailController, EmailVerificationController],
        dependencies={
            "client": Provide(client),
            "verify_email": provide(identity.verify_email),
            "resend_email_verification": provide(identity.resend_email_verification),
        },
    )
