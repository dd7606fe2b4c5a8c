"""Each provider's token and error responses, read into one shape.

Only codes leave this module: an ``error`` value, a HubSpot ``status``, a Slack ``error``. No
description, body or header is ever copied into an exception or a log.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from domain.integrations.catalog import ProviderSpec
from domain.integrations.errors import DeadGrant, ProviderRefused, ProviderTransient
from domain.integrations.grant import TokenGrant
from domain.integrations.retry import retry_after_seconds
from domain.shared.secret import Secret

# providers.md rule 6: the grant itself is gone; retrying cannot help.
DEAD_GRANT = frozenset(
    {
        "invalid_grant",  # RFC 6749; Salesforce, Google, Zendesk, Jira (403), HubSpot
        "BAD_REFRESH_TOKEN",  # HubSpot's status for the same
        "invalid_refresh_token",  # Slack
        "token_revoked",
        "invalid_auth",
        "account_inactive",
    }
)
TRANSIENT_CODES = frozenset({"ratelimited", "fatal_error", "internal_error", "service_unavailable"})


def classify(
    status: int, body: Any, retry_after: str | None, now: datetime
) -> ProviderTransient | DeadGrant | ProviderRefused | None:
    """None for a success; otherwise the failure, in the category that decides what happens."""
    if status == 429 or status >= 500:
        return ProviderTransient(
            f"http_{status}", retry_after=retry_after_seconds(retry_after, now)
        )
    code = _error_code(body)
    if 200 <= status < 300 and code is None:
        return None
    if code in TRANSIENT_CODES:
        return ProviderTransient(code, retry_after=retry_after_seconds(retry_after, now))
    if code in DEAD_GRANT:
        return DeadGrant(code)
    return ProviderRefused(code or f"http_{status}")


def _error_code(body: Any) -> str | None:
    if isinstance(body, dict):
        if body.get("ok") is False:  # Slack: errors come back as HTTP 200
            return _code(body.get("error")) or "slack_error"
        if body.get("status") == "BAD_REFRESH_TOKEN":
            return "BAD_REFRESH_TOKEN"
        return _code(body.get("error"))
    if isinstance(body, list) and body and isinstance(body[0], dict):  # Salesforce's REST errors
        return _code(body[0].get("errorCode"))
    return None


def _code(value: Any) -> str | None:
    if isinstance(value, str) and value and len(value) <= 64 and value.isascii():
        return value
    return None


def parse_grant(spec: ProviderSpec, body: Any) -> TokenGrant:
    """A successful token response (code exchange or refresh) of ``spec``'s provider."""
    if not isinstance(body, dict):
        raise ProviderRefused("malformed_response")
    tokens = body
    user = body.get("authed_user")
    if spec.platform == "slack" and isinstance(user, dict) and "access_token" in user:
        tokens = user  # Atlas asks Slack for a user token only: it is under authed_user
    access = tokens.get("access_token")
    refresh = tokens.get("refresh_token")
    if not isinstance(access, str) or not access or not isinstance(refresh, str | None):
        raise ProviderRefused("malformed_response")
    return TokenGrant(
        access_token=Secret(access),
        refresh_token=Secret(refresh) if refresh else None,
        expires_in=_seconds(tokens.get("expires_in")),
        scopes=_scopes(spec, tokens),
        external_account=_account(spec, body),
        instance_url=_instance_url(spec, body),
    )


def _seconds(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _scopes(spec: ProviderSpec, tokens: Mapping[str, Any]) -> tuple[str, ...] | None:
    listed = tokens.get("scopes")  # HubSpot
    if isinstance(listed, list):
        return tuple(s for s in listed if isinstance(s, str))
    scope = tokens.get("scope")
    if not isinstance(scope, str):
        return None
    parts = scope.split(",") if spec.scope_separator == "," else scope.split()
    return tuple(p.strip() for p in parts if p.strip())


def _account(spec: ProviderSpec, body: Mapping[str, Any]) -> str | None:
    if spec.platform == "hubspot" and isinstance(body.get("hub_id"), int):
        return f"hub:{body['hub_id']}"
    if spec.platform == "slack":
        team, user = body.get("team"), body.get("authed_user")
        if isinstance(team, dict) and isinstance(user, dict):
            return f"{team.get('id')}:{user.get('id')}"
    if spec.platform == "salesforce" and isinstance(body.get("id"), str):
        # https://login.salesforce.com/id/<org id>/<user id>
        parts = urlsplit(body["id"]).path.rstrip("/").split("/")
        return "/".join(parts[-2:]) if len(parts) >= 2 else None
    return None


def _instance_url(spec: ProviderSpec, body: Mapping[str, Any]) -> str | None:
    url = body.get("instance_url")
    if spec.platform != "salesforce" or not isinstance(url, str):
        return None
    # Every later API call carries the token there: only an absolute https URL (or http when
    # the token endpoint itself is plain http, i.e. a local sandbox) is believed.
    allowed = {"https"} | ({"http"} if spec.token_url.startswith("http://") else set())
    parts = urlsplit(url)
    return url.rstrip("/") if parts.scheme in allowed and parts.netloc else None
