"""Atlassian's authorization server: rotation on every refresh, 10-minute reuse grace, 403s."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, ClassVar

from adapters.sandbox.config import ClientRegistration, Provider
from adapters.sandbox.oauth.model import Family, RefreshPolicy
from adapters.sandbox.oauth.profile import Profile
from adapters.sandbox.oauth.refusal import BearerReason, Reason, Refused
from adapters.sandbox.reply import Reply

AUDIENCE = "api.atlassian.com"


def _segment(data: dict[str, Any]) -> str:
    return (
        base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode())
        .decode()
        .rstrip("=")
    )


def _jwt_shaped(kind: str) -> str:
    # Opaque to clients, but shaped like Atlassian's JWT tokens (header.payload.signature).
    header = _segment({"kid": "auth.atlassian.io/sandbox", "alg": "RS256"})
    payload = _segment(
        {
            "jti": secrets.token_hex(16),
            "iss": "https://auth.atlassian.com",
            "aud": AUDIENCE,
            "typ": kind,
        }
    )
    return f"{header}.{payload}.{secrets.token_urlsafe(64)}"


class JiraProfile(Profile):
    name: ClassVar[Provider] = "jira"
    title = "Atlassian"
    accepts_json_body = True
    scopes: ClassVar[dict[str, str]] = {
        "read:jira-work": "Read Jira project and issue data",
        "read:jira-user": "View user information in Jira that you have access to",
        "offline_access": "Stay connected when you are not using the app",
        "read:me": "View your profile",
    }

    def check_authorize(self, params: Mapping[str, str]) -> str | None:
        if params.get("audience") != AUDIENCE:
            return f"audience must be {AUDIENCE}"
        return None

    def policy(self, registration: ClientRegistration) -> RefreshPolicy:
        return RefreshPolicy(
            rotate=True,
            reuse_grace=timedelta(minutes=10),
            reuse_revokes_family=True,
            idle_ttl=timedelta(days=90),
            absolute_ttl=timedelta(days=365),
        )

    def issues_refresh(self, registration: ClientRegistration, scopes: tuple[str, ...]) -> bool:
        return "offline_access" in scopes

    def access_ttl(self, params: Mapping[str, str]) -> timedelta:
        return timedelta(hours=1)

    def mint_access(self, family: Family) -> str:
        return _jwt_shaped("access")

    def mint_refresh(self, family: Family) -> str:
        return _jwt_shaped("refresh")

    def denied_description(self) -> str:
        return "access_denied"

    def token_error(self, refused: Refused) -> Reply:
        if refused.reason.client_failure:
            return Reply(
                status=401, body={"error": "access_denied", "error_description": "Unauthorized"}
            )
        if refused.reason.value.startswith("refresh"):
            description = "Unknown or invalid refresh token."
        elif refused.reason is Reason.REDIRECT_MISMATCH:
            description = "redirect_uri is invalid"
        else:
            description = "Invalid authorization code"
        if refused.reason.grant_failure:
            return Reply(
                status=403, body={"error": "invalid_grant", "error_description": description}
            )
        return super().token_error(refused)

    def bearer_error(self, reason: BearerReason, needed: str = "") -> Reply:
        message = (
            "Unauthorized; scope does not match" if reason is BearerReason.SCOPE else "Unauthorized"
        )
        return Reply(status=401, body={"code": 401, "message": message})

    def throttled(self, retry_after: str) -> Reply:
        headers = (
            ("Retry-After", retry_after),
            ("X-RateLimit-Limit", "100"),
            ("X-RateLimit-Remaining", "0"),
            ("RateLimit-Reason", "jira-quota-global-based"),
        )
        # Jira's own refusal (the limit is Jira's, not the gateway's): its ErrorCollection.
        body = {"errorMessages": ["Rate limit exceeded."], "errors": {}}
        return Reply(status=429, body=body, headers=headers)

    def server_error(self, status: int, retry_after: str | None) -> Reply:
        headers = (("Retry-After", retry_after),) if retry_after else ()
        return Reply(
            status=status,
            body={"errorMessages": ["Service unavailable"], "errors": {}},
            headers=headers,
        )
