"""Checking the bearer token on every emulated API call, answered in the provider's shape."""

from __future__ import annotations

from typing import NoReturn

from adapters.sandbox.oauth.model import Family
from adapters.sandbox.oauth.params import AnyRequest
from adapters.sandbox.oauth.profile import Profile
from adapters.sandbox.oauth.refusal import BearerReason
from adapters.sandbox.oauth.store import BearerRefused
from adapters.sandbox.reply import ProviderError
from adapters.sandbox.sandbox import Sandbox


def bearer_token(request: AnyRequest) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def authorized(sandbox: Sandbox, profile: Profile, request: AnyRequest, *any_of: str) -> Family:
    """The token's family, if the token is live and carries one of ``any_of`` (when given)."""
    token = bearer_token(request)
    if token is None:
        _refuse(sandbox, profile, "unknown", BearerReason.MISSING)
    try:
        family = sandbox.tokens.authenticate(token, profile.name)
    except BearerRefused as refused:
        client = refused.family.client_id if refused.family else "unknown"
        _refuse(sandbox, profile, client, refused.reason)
    if any_of and not set(any_of) & set(family.scopes):
        _refuse(sandbox, profile, family.client_id, BearerReason.SCOPE, any_of[0])
    sandbox.stats.count(profile.name, family.client_id, "api_calls")
    return family


def _refuse(
    sandbox: Sandbox, profile: Profile, client_id: str, reason: BearerReason, needed: str = ""
) -> NoReturn:
    sandbox.stats.count(profile.name, client_id, f"api_refused:{reason.value}")
    raise ProviderError(profile.bearer_error(reason, needed))
