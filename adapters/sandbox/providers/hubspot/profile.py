"""HubSpot's authorization server: 30-minute tokens, a long-lived refresh token, v3 errors."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, ClassVar

from adapters.sandbox.config import Provider
from adapters.sandbox.oauth.model import Family, Issued
from adapters.sandbox.oauth.profile import Profile, TokenContext
from adapters.sandbox.oauth.refusal import BearerReason, Reason, Refused
from adapters.sandbox.reply import Reply

HUB_ID = 146_520_881
APP_ID = 3_401_226


def correlation() -> str:
    return str(uuid.uuid4())


class HubSpotProfile(Profile):
    name: ClassVar[Provider] = "hubspot"
    title = "HubSpot"
    # The v3 token endpoint documents code_verifier: checked whenever a challenge was sent.
    supports_pkce = True
    scopes: ClassVar[dict[str, str]] = {
        "oauth": "Basic OAuth access",
        "crm.objects.contacts.read": "View contacts",
        "crm.objects.companies.read": "View companies",
        "crm.objects.deals.read": "View deals",
        "crm.objects.tickets.read": "View tickets",
        "tickets": "View tickets (legacy)",
        "sales-email-read": "View email engagements",
        "crm.objects.owners.read": "View users who own records",
    }

    def parse_scopes(self, params: Mapping[str, str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        required = params.get("scope", "").split()
        optional = params.get("optional_scope", "").split()
        return tuple(dict.fromkeys((*required, *optional))), ()

    def access_ttl(self, params: Mapping[str, str]) -> timedelta:
        return timedelta(minutes=30)

    def mint_access(self, family: Family) -> str:
        return "CN" + secrets.token_urlsafe(96)

    def mint_refresh(self, family: Family) -> str:
        h = secrets.token_hex(16)
        return f"na1-{h[:4]}-{h[4:8]}-{h[8:12]}-{h[12:16]}-{secrets.token_hex(6)}"

    def token_body(self, issued: list[Issued], ctx: TokenContext) -> dict[str, Any]:
        (first,) = issued
        return {
            "token_type": "bearer",
            "refresh_token": first.refresh_token,
            "hub_id": HUB_ID,
            "scopes": list(first.family.scopes),
            "access_token": first.access_token,
            "expires_in": first.expires_in,
        }

    def refresh_body(self, issued: Issued, ctx: TokenContext) -> dict[str, Any]:
        # Not rotated: the same refresh token comes back with every new access token.
        body = self.token_body([issued], ctx)
        body["refresh_token"] = ctx.params["refresh_token"]
        return body

    def token_error(self, refused: Refused) -> Reply:
        status_code = _STATUS.get(refused.reason)
        if status_code is None:
            status_code = (
                "BAD_REFRESH_TOKEN"
                if refused.reason.value.startswith("refresh")
                else "BAD_AUTH_CODE"
            )
        error = "invalid_client" if refused.reason.client_failure else "invalid_grant"
        if not (refused.reason.client_failure or refused.reason.grant_failure):
            error = "invalid_request"
        body = {
            "status": status_code,
            "message": refused.description,
            "correlationId": correlation(),
            "error": error,
            "error_description": refused.description,
        }
        return Reply(status=401 if refused.reason.client_failure else 400, body=body)

    def bearer_error(self, reason: BearerReason, needed: str = "") -> Reply:
        if reason is BearerReason.SCOPE:
            body = {
                "status": "error",
                "message": "This app hasn't been granted all required scopes to make this call.",
                "correlationId": correlation(),
                "errors": [
                    {
                        "message": "One or more of the following scopes are required.",
                        "context": {"requiredGranularScopes": [needed]},
                    }
                ],
                "category": "MISSING_SCOPES",
            }
            return Reply(status=403, body=body)
        category = (
            "EXPIRED_AUTHENTICATION" if reason is BearerReason.EXPIRED else "INVALID_AUTHENTICATION"
        )
        message = (
            "The OAuth token used to make this call expired."
            if reason is BearerReason.EXPIRED
            else "Authentication credentials not found."
        )
        body = {
            "status": "error",
            "message": message,
            "correlationId": correlation(),
            "category": category,
        }
        return Reply(status=401, body=body)

    def throttled(self, retry_after: str) -> Reply:
        body = {
            "status": "error",
            "message": "You have reached your ten_secondly_rolling limit.",
            "errorType": "RATE_LIMIT",
            "correlationId": correlation(),
            "policyName": "TEN_SECONDLY_ROLLING",
            "groupName": f"publicapi:oauth:{APP_ID}:{HUB_ID}",
        }
        headers = (
            ("Retry-After", retry_after),
            ("X-HubSpot-RateLimit-Max", "100"),
            ("X-HubSpot-RateLimit-Remaining", "0"),
            ("X-HubSpot-RateLimit-Interval-Milliseconds", "10000"),
        )
        return Reply(status=429, body=body, headers=headers)

    def server_error(self, status: int, retry_after: str | None) -> Reply:
        body = {"status": "error", "message": "internal error", "correlationId": correlation()}
        headers = (("Retry-After", retry_after),) if retry_after else ()
        return Reply(status=status, body=body, headers=headers)


_STATUS = {
    Reason.UNKNOWN_CLIENT: "BAD_CLIENT_ID",
    Reason.BAD_SECRET: "BAD_CLIENT_SECRET",
    Reason.REDIRECT_MISMATCH: "BAD_REDIRECT_URI",
    Reason.UNSUPPORTED_GRANT: "BAD_GRANT_TYPE",
    Reason.INVALID_REQUEST: "BAD_REQUEST",
    Reason.PARAMS_IN_QUERY: "BAD_REQUEST",
}
