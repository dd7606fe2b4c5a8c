"""Google's authorization server: ``iss`` in the redirect, granular consent, no rotation."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, ClassVar

from adapters.sandbox.config import ClientRegistration, Provider
from adapters.sandbox.oauth.model import CodeRecord, Family, Issued, RefreshPolicy
from adapters.sandbox.oauth.profile import Profile, TokenContext
from adapters.sandbox.oauth.refusal import BearerReason, Reason, Refused
from adapters.sandbox.oauth.store import TokenStore
from adapters.sandbox.reply import Reply

GMAIL_METADATA = "https://www.googleapis.com/auth/gmail.metadata"
GMAIL_READONLY = "https://www.googleapis.com/auth/gmail.readonly"
CALENDAR_READONLY = "https://www.googleapis.com/auth/calendar.readonly"
CALENDAR_EVENTS_READONLY = "https://www.googleapis.com/auth/calendar.events.readonly"


def google_error(status: int, message: str, reason: str, state: str, **extra: Any) -> Reply:
    error = {
        "code": status,
        "message": message,
        "errors": [{"message": message, "domain": "global", "reason": reason, **extra}],
        "status": state,
    }
    return Reply(status=status, body={"error": error})


class GoogleProfile(Profile):
    name: ClassVar[Provider] = "google"
    title = "Google"
    supports_pkce = True
    issuer = "https://accounts.google.com"
    granular_consent = True
    scopes: ClassVar[dict[str, str]] = {
        GMAIL_METADATA: "View your email message metadata such as labels and headers, but not "
        "the email body",
        GMAIL_READONLY: "View your email messages and settings",
        CALENDAR_READONLY: "See and download any calendar you can access using your Google "
        "Calendar",
        CALENDAR_EVENTS_READONLY: "View events on all your calendars",
        "openid": "Associate you with your personal info on Google",
        "email": "See your primary Google Account email address",
        "profile": "See your personal info",
    }

    def policy(self, registration: ClientRegistration) -> RefreshPolicy:
        return RefreshPolicy(idle_ttl=timedelta(days=183))  # six months unused

    def access_ttl(self, params: Mapping[str, str]) -> timedelta:
        return timedelta(seconds=3599)

    def request_extras(self, params: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
        return (
            ("access_type", params.get("access_type", "online")),
            ("prompt", params.get("prompt", "")),
        )

    def mint_code(self) -> str:
        return "4/0A" + secrets.token_urlsafe(54)

    def mint_access(self, family: Family) -> str:
        return "ya29." + secrets.token_urlsafe(120)

    def mint_refresh(self, family: Family) -> str:
        return "1//0" + secrets.token_urlsafe(72)

    def success_params(self, granted: tuple[str, ...]) -> dict[str, str]:
        return {"scope": " ".join(granted), "authuser": "0", "prompt": "consent"}

    def denied_description(self) -> str:
        return "access_denied"

    def exchange(self, tokens: TokenStore, code: CodeRecord, ctx: TokenContext) -> list[Issued]:
        request = code.request
        # A refresh token comes only with access_type=offline, and on a repeat authorization
        # only when prompt=consent forced the consent screen again.
        first_time = not tokens.has_granted("google", request.client_id, request.subject)
        offline = request.parameter("access_type") == "offline"
        forced = "consent" in (request.parameter("prompt") or "").split()
        family = tokens.open_family(code, scopes=code.granted)
        refresh = self.mint_refresh(family) if offline and (first_time or forced) else None
        issued = tokens.issue(
            family,
            access=self.mint_access(family),
            access_ttl=self.access_ttl(ctx.params),
            refresh=refresh,
        )
        return [issued]

    def token_body(self, issued: list[Issued], ctx: TokenContext) -> dict[str, Any]:
        (first,) = issued
        body: dict[str, Any] = {"access_token": first.access_token, "expires_in": first.expires_in}
        if first.refresh_token is not None:
            body["refresh_token"] = first.refresh_token
        body.update(scope=" ".join(first.family.scopes), token_type="Bearer")
        return body  # a refresh answer omits refresh_token: keep the one you have

    def token_error(self, refused: Refused) -> Reply:
        if refused.reason.client_failure:
            return Reply(
                status=401, body={"error": "invalid_client", "error_description": "Unauthorized"}
            )
        error, description = _ERRORS.get(refused.reason, ("invalid_grant", "Bad Request"))
        if refused.reason.value.startswith("refresh"):
            description = "Token has been expired or revoked."
        return Reply(status=400, body={"error": error, "error_description": description})

    def bearer_error(self, reason: BearerReason, needed: str = "") -> Reply:
        if reason is BearerReason.SCOPE:
            return google_error(
                403,
                "Request had insufficient authentication scopes.",
                "insufficientPermissions",
                "PERMISSION_DENIED",
            )
        reply = google_error(
            401,
            "Request had invalid authentication credentials. Expected OAuth 2 access token, "
            "login cookie or other valid authentication credential.",
            "authError",
            "UNAUTHENTICATED",
            location="Authorization",
            locationType="header",
        )
        challenge = 'Bearer realm="https://accounts.google.com/", error="invalid_token"'
        return Reply(status=401, body=reply.body, headers=(("WWW-Authenticate", challenge),))

    def throttled(self, retry_after: str) -> Reply:
        reply = google_error(
            429,
            "Resource has been exhausted (e.g. check quota).",
            "rateLimitExceeded",
            "RESOURCE_EXHAUSTED",
        )
        return Reply(status=429, body=reply.body, headers=(("Retry-After", retry_after),))

    def server_error(self, status: int, retry_after: str | None) -> Reply:
        # The canonical code of each status (cloud.google.com/apis/design/errors#http_mapping).
        state = {500: "INTERNAL", 504: "DEADLINE_EXCEEDED"}.get(status, "UNAVAILABLE")
        reply = google_error(status, "The service is currently unavailable.", "backendError", state)
        headers = (("Retry-After", retry_after),) if retry_after else ()
        return Reply(status=status, body=reply.body, headers=headers)


_ERRORS = {
    Reason.REDIRECT_MISMATCH: ("redirect_uri_mismatch", "Bad Request"),
    Reason.UNSUPPORTED_GRANT: ("unsupported_grant_type", "Invalid grant_type"),
    Reason.INVALID_REQUEST: ("invalid_request", "Bad Request"),
    Reason.PARAMS_IN_QUERY: ("invalid_request", "Bad Request"),
    Reason.PKCE_MISSING: ("invalid_grant", "Missing code verifier."),
    Reason.PKCE_MISMATCH: ("invalid_grant", "Invalid code verifier."),
}
