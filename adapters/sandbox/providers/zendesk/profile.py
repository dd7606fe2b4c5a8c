"""Zendesk's authorization server: client-chosen lifetimes, a refresh replaces the whole pair."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, ClassVar

from adapters.sandbox.config import ClientRegistration, Provider
from adapters.sandbox.oauth.model import Family, Issued, RefreshPolicy
from adapters.sandbox.oauth.profile import Profile, TokenContext
from adapters.sandbox.oauth.refusal import BearerReason, Reason, Refused
from adapters.sandbox.reply import Reply

ACCESS_TTL = (300, 1800, 172_800)  # minimum, default, maximum seconds
REFRESH_TTL = (604_800, 2_592_000, 7_776_000)

_INVALID_GRANT = (
    "The provided authorization grant is invalid, expired, revoked, does not match the "
    "redirection URI used in the authorization request, or was issued to another client."
)
_INVALID_CLIENT = (
    "Client authentication failed due to unknown client, no client authentication included, "
    "or unsupported authentication method."
)


def _lifetime(params: Mapping[str, str], name: str, bounds: tuple[int, int, int]) -> timedelta:
    low, default, high = bounds
    raw = params.get(name)
    if raw is None:
        return timedelta(seconds=default)
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise Refused(Reason.INVALID_REQUEST, f"{name} must be between {low} and {high}")
    return timedelta(seconds=int(raw))


class ZendeskProfile(Profile):
    name: ClassVar[Provider] = "zendesk"
    title = "Zendesk"
    supports_pkce = True
    accepts_json_body = True
    scopes: ClassVar[dict[str, str]] = {
        "read": "Read everything in your Zendesk account",
        "tickets:read": "Read tickets",
        "users:read": "Read users",
        "organizations:read": "Read organizations",
    }

    def policy(self, registration: ClientRegistration) -> RefreshPolicy:
        # A refresh answers with a new pair and deletes the old access and refresh tokens.
        return RefreshPolicy(rotate=True, delete_old_pair=True)

    def access_ttl(self, params: Mapping[str, str]) -> timedelta:
        return _lifetime(params, "expires_in", ACCESS_TTL)

    def refresh_ttl(self, params: Mapping[str, str]) -> timedelta:
        return _lifetime(params, "refresh_token_expires_in", REFRESH_TTL)

    def mint_code(self) -> str:
        return secrets.token_urlsafe(22)

    def mint_access(self, family: Family) -> str:
        return secrets.token_hex(32)

    def mint_refresh(self, family: Family) -> str:
        return secrets.token_hex(32)

    def denied_description(self) -> str:
        return "The end-user or authorization server denied the request."

    def token_body(self, issued: list[Issued], ctx: TokenContext) -> dict[str, Any]:
        (first,) = issued
        return {
            "access_token": first.access_token,
            "token_type": "bearer",
            "scope": " ".join(first.family.scopes),
            "expires_in": first.expires_in,
            "refresh_token": first.refresh_token,
            "refresh_token_expires_in": first.refresh_expires_in,
        }

    def token_error(self, refused: Refused) -> Reply:
        if refused.reason.client_failure:
            return Reply(
                status=401, body={"error": "invalid_client", "error_description": _INVALID_CLIENT}
            )
        if refused.reason.grant_failure:
            return Reply(
                status=400, body={"error": "invalid_grant", "error_description": _INVALID_GRANT}
            )
        return super().token_error(refused)

    def bearer_error(self, reason: BearerReason, needed: str = "") -> Reply:
        if reason is BearerReason.SCOPE:
            body = {"error": "Forbidden", "description": "You do not have access to this page."}
            return Reply(status=403, body=body)
        description = (
            "The access token provided is expired, revoked, malformed or invalid for other reasons."
        )
        return Reply(status=401, body={"error": "invalid_token", "error_description": description})

    def throttled(self, retry_after: str) -> Reply:
        body = {
            "error": "APIRateLimitExceeded",
            "description": "Rate limit for the incremental export API exceeded.",
        }
        return Reply(status=429, body=body, headers=(("Retry-After", retry_after),))

    def server_error(self, status: int, retry_after: str | None) -> Reply:
        headers = (("Retry-After", retry_after),) if retry_after else ()
        return Reply(
            status=status,
            body={"error": "ServiceUnavailable", "description": "Try again later."},
            headers=headers,
        )
