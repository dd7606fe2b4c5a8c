"""What makes one provider's authorization server itself: shapes, lifetimes, rotation, errors.

The shared machinery (authorize, consent, token endpoint, bearer checks) asks the provider's
profile at every point where real providers differ, so the differences live in one class each.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar

import msgspec

from adapters.sandbox.config import ClientRegistration, Provider
from adapters.sandbox.oauth.model import CodeRecord, Family, Issued, RefreshPolicy
from adapters.sandbox.oauth.refusal import BearerReason, Reason, Refused
from adapters.sandbox.oauth.store import TokenStore
from adapters.sandbox.reply import Reply


class TokenContext(msgspec.Struct, frozen=True, kw_only=True):
    """What a token response may need beyond the tokens: where the sandbox lives, the client."""

    base_url: str  # e.g. https://127.0.0.1:8443/sandbox/salesforce
    registration: ClientRegistration
    params: Mapping[str, str]
    now: datetime


class Profile:
    name: ClassVar[Provider]
    title: ClassVar[str]
    scope_separator: ClassVar[str] = " "
    supports_pkce: ClassVar[bool] = False
    accepts_json_body: ClassVar[bool] = False
    issuer: ClassVar[str | None] = None  # RFC 9207 ``iss``, only where the provider sends it
    granular_consent: ClassVar[bool] = False  # the person may untick scopes (Google)
    code_ttl: ClassVar[timedelta] = timedelta(minutes=10)
    scopes: ClassVar[Mapping[str, str]]  # every scope the provider knows, in plain words

    # -- lifetimes and rotation ---------------------------------------------------------------

    def policy(self, registration: ClientRegistration) -> RefreshPolicy:
        return RefreshPolicy()

    def access_ttl(self, params: Mapping[str, str]) -> timedelta | None:
        return timedelta(hours=1)

    def refresh_ttl(self, params: Mapping[str, str]) -> timedelta | None:
        return None

    def issues_refresh(self, registration: ClientRegistration, scopes: tuple[str, ...]) -> bool:
        return True

    # -- values ---------------------------------------------------------------------------------

    def mint_code(self) -> str:
        return secrets.token_urlsafe(32)

    def mint_access(self, family: Family) -> str:
        return secrets.token_urlsafe(48)

    def mint_refresh(self, family: Family) -> str:
        return secrets.token_urlsafe(48)

    # -- authorization request and response ---------------------------------------------------

    def parse_scopes(self, params: Mapping[str, str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """``(scopes, user_scopes)``; only Slack has the second kind."""
        return _split(params.get("scope", ""), self.scope_separator), ()

    def request_extras(self, params: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
        """Authorization parameters to remember until the code is redeemed."""
        return ()

    def check_authorize(self, params: Mapping[str, str]) -> str | None:
        """A provider-specific reason to refuse the request (``invalid_request``), or None."""
        return None

    def success_params(self, granted: tuple[str, ...]) -> dict[str, str]:
        return {}

    def denied_description(self) -> str:
        return "The user denied the request"

    # -- token endpoint ---------------------------------------------------------------------------

    def exchange(self, tokens: TokenStore, code: CodeRecord, ctx: TokenContext) -> list[Issued]:
        """Issue what a redeemed code buys: one token family, or Slack's bot and user pair."""
        family = tokens.open_family(code, scopes=code.granted)
        refresh = (
            self.mint_refresh(family)
            if self.issues_refresh(ctx.registration, code.granted)
            else None
        )
        return [
            tokens.issue(
                family,
                access=self.mint_access(family),
                access_ttl=self.access_ttl(ctx.params),
                refresh=refresh,
                refresh_ttl=self.refresh_ttl(ctx.params) if refresh else None,
            )
        ]

    def token_body(self, issued: list[Issued], ctx: TokenContext) -> dict[str, Any]:
        (first,) = issued
        body: dict[str, Any] = {
            "access_token": first.access_token,
            "token_type": "Bearer",
            "scope": self.scope_separator.join(first.family.scopes),
        }
        if first.expires_in is not None:
            body["expires_in"] = first.expires_in
        if first.refresh_token is not None:
            body["refresh_token"] = first.refresh_token
        return body

    def refresh_body(self, issued: Issued, ctx: TokenContext) -> dict[str, Any]:
        return self.token_body([issued], ctx)

    def token_success(self, body: dict[str, Any]) -> Reply:
        return Reply(status=200, body=body, headers=(("Pragma", "no-cache"),))

    def token_error(self, refused: Refused) -> Reply:
        """RFC 6749 §5.2 by default; providers override with their own shapes."""
        if refused.reason.client_failure:
            return Reply(status=401, body=_rfc("invalid_client", refused))
        if refused.reason is Reason.UNSUPPORTED_GRANT:
            return Reply(status=400, body=_rfc("unsupported_grant_type", refused))
        if refused.reason.grant_failure:
            return Reply(status=400, body=_rfc("invalid_grant", refused))
        return Reply(status=400, body=_rfc("invalid_request", refused))

    # -- resource server ---------------------------------------------------------------------------

    def bearer_error(self, reason: BearerReason, needed: str = "") -> Reply:
        return Reply(status=401, body={"error": "invalid_token", "error_description": reason})

    def throttled(self, retry_after: str) -> Reply:
        return Reply(
            status=429, body={"error": "rate_limited"}, headers=(("Retry-After", retry_after),)
        )

    def server_error(self, status: int, retry_after: str | None) -> Reply:
        headers = (("Retry-After", retry_after),) if retry_after else ()
        return Reply(status=status, body={"error": "server_error"}, headers=headers)


def _rfc(error: str, refused: Refused) -> dict[str, str]:
    return {"error": error, "error_description": refused.description}


def _split(value: str, separator: str) -> tuple[str, ...]:
    parts = value.split(separator) if separator != " " else value.split()
    return tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))
