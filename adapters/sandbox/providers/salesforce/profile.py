"""Salesforce's authorization server: no ``expires_in``, signed responses, optional rotation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string
from collections.abc import Callable
from datetime import timedelta
from typing import Any, ClassVar

from adapters.sandbox.config import ClientRegistration, Provider
from adapters.sandbox.oauth.model import Family, Issued, RefreshPolicy
from adapters.sandbox.oauth.profile import Profile, TokenContext
from adapters.sandbox.oauth.refusal import BearerReason, Reason, Refused
from adapters.sandbox.providers.ids import SALESFORCE_ORG, salesforce_suffix
from adapters.sandbox.reply import Reply

_TOKEN_CHARS = string.ascii_letters + string.digits + "._"
SESSION_TIMEOUT = timedelta(hours=2)


def _random(length: int) -> str:
    return "".join(secrets.choice(_TOKEN_CHARS) for _ in range(length))


class SalesforceProfile(Profile):
    name: ClassVar[Provider] = "salesforce"
    title = "Salesforce"
    supports_pkce = True
    code_ttl = timedelta(minutes=15)
    scopes: ClassVar[dict[str, str]] = {
        "api": "Access and manage your data through the API",
        "refresh_token": "Perform requests on your behalf at any time",
        "offline_access": "Perform requests on your behalf at any time",
        "id": "Access your basic information",
        "openid": "Access your unique identifier",
        "full": "Full access",
    }

    def __init__(self, user_id: Callable[[str], str]) -> None:
        self._user_id = user_id  # subject email -> 005 user id

    def policy(self, registration: ClientRegistration) -> RefreshPolicy:
        if registration.rotate_refresh_tokens:
            # Refresh Token Rotation: single-use, and reusing an old one revokes the family.
            return RefreshPolicy(rotate=True, reuse_revokes_family=True)
        return RefreshPolicy()  # default "valid until revoked", never rotated

    def access_ttl(self, params: Any) -> timedelta:
        # The session timeout applies, but Salesforce never says so in the response.
        return SESSION_TIMEOUT

    def issues_refresh(self, registration: ClientRegistration, scopes: tuple[str, ...]) -> bool:
        return bool({"refresh_token", "offline_access"} & set(scopes))

    def mint_code(self) -> str:
        return "aPrx" + _random(80)

    def mint_access(self, family: Family) -> str:
        return f"{SALESFORCE_ORG}!{_random(96)}"

    def mint_refresh(self, family: Family) -> str:
        return "5Aep861" + _random(80)

    def denied_description(self) -> str:
        return "end-user denied authorization"

    def user_id(self, subject: str) -> str:
        return self._user_id(subject)

    def token_body(self, issued: list[Issued], ctx: TokenContext) -> dict[str, Any]:
        (first,) = issued
        identity = f"{ctx.base_url}/id/{SALESFORCE_ORG}{salesforce_suffix(SALESFORCE_ORG)}/"
        identity += self.user_id(first.family.subject)
        issued_at = str(int(ctx.now.timestamp() * 1000))
        secret = ctx.registration.client_secret.reveal().encode()
        signature = hmac.new(secret, (identity + issued_at).encode(), hashlib.sha256).digest()
        body: dict[str, Any] = {"access_token": first.access_token}
        if first.refresh_token is not None:
            body["refresh_token"] = first.refresh_token
        body.update(
            signature=base64.b64encode(signature).decode(),
            scope=" ".join(first.family.scopes),
            instance_url=ctx.base_url,
            id=identity,
            token_type="Bearer",
            issued_at=issued_at,
        )
        return body  # deliberately no expires_in: Salesforce never sends one

    def token_error(self, refused: Refused) -> Reply:
        error, description = _TOKEN_ERRORS.get(
            refused.reason, ("invalid_grant", "authentication failure")
        )
        if refused.reason in (
            Reason.REFRESH_EXPIRED,
            Reason.REFRESH_REVOKED,
            Reason.REFRESH_UNKNOWN,
        ):
            description = "expired access/refresh token"
        status = 401 if refused.reason.client_failure else 400
        return Reply(status=status, body={"error": error, "error_description": description})

    def bearer_error(self, reason: BearerReason, needed: str = "") -> Reply:
        message = "Session expired or invalid"
        if reason is BearerReason.SCOPE:
            message = "This session is not valid for use with the REST API"
        return Reply(status=401, body=[{"message": message, "errorCode": "INVALID_SESSION_ID"}])

    def throttled(self, retry_after: str) -> Reply:
        # Salesforce's daily allowance: 403, not 429, and no Retry-After (reschedule instead).
        body = [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
        return Reply(status=403, body=body)

    def server_error(self, status: int, retry_after: str | None) -> Reply:
        code = "SERVER_UNAVAILABLE" if status == 503 else "UNKNOWN_EXCEPTION"
        body = [{"message": "An unexpected error occurred. Please try again.", "errorCode": code}]
        headers = (("Retry-After", retry_after),) if retry_after else ()
        return Reply(status=status, body=body, headers=headers)


_TOKEN_ERRORS: dict[Reason, tuple[str, str]] = {
    Reason.UNKNOWN_CLIENT: ("invalid_client_id", "client identifier invalid"),
    Reason.BAD_SECRET: ("invalid_client", "invalid client credentials"),
    Reason.REDIRECT_MISMATCH: ("redirect_uri_mismatch", "redirect_uri must match configuration"),
    Reason.UNSUPPORTED_GRANT: ("unsupported_grant_type", "grant type not supported"),
    Reason.INVALID_REQUEST: ("invalid_request", "invalid request"),
    Reason.PARAMS_IN_QUERY: ("invalid_request", "parameters must be sent in the body"),
    Reason.PKCE_MISMATCH: ("invalid_grant", "invalid code verifier"),
    Reason.PKCE_MISSING: ("invalid_grant", "invalid code verifier"),
}
