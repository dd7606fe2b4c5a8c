"""The token endpoint every provider shares: client authentication, code and refresh grants."""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from adapters.sandbox.config import ClientRegistration
from adapters.sandbox.oauth.params import AnyRequest, basic_credentials, body_values
from adapters.sandbox.oauth.profile import Profile, TokenContext
from adapters.sandbox.oauth.refusal import Reason, Refused
from adapters.sandbox.reply import Reply
from adapters.sandbox.sandbox import Sandbox


async def token(sandbox: Sandbox, profile: Profile, request: AnyRequest) -> Reply:
    grant_type = None
    client_id = "unknown"
    try:
        params = await body_values(request, json_ok=profile.accepts_json_body)
        grant_type = params.get("grant_type")
        registration = authenticate_client(sandbox, profile, request, params)
        client_id = registration.client_id
        ctx = TokenContext(
            base_url=sandbox.base_url(request, profile.name),
            registration=registration,
            params=params,
            now=sandbox.clock.now(),
        )
        if grant_type == "authorization_code":
            return _exchange(sandbox, profile, ctx)
        if grant_type == "refresh_token":
            return _refresh(sandbox, profile, ctx)
        raise Refused(Reason.UNSUPPORTED_GRANT, f"grant_type {grant_type} is not supported")
    except Refused as refused:
        event = "refresh_failures" if grant_type == "refresh_token" else "token_failures"
        sandbox.stats.count(profile.name, client_id, event)
        sandbox.stats.count(profile.name, client_id, f"refused:{refused.reason.value}")
        return profile.token_error(refused)


def authenticate_client(
    sandbox: Sandbox, profile: Profile, request: AnyRequest, params: Mapping[str, str]
) -> ClientRegistration:
    basic = basic_credentials(request)
    if basic is not None and ("client_secret" in params):
        raise Refused(Reason.INVALID_REQUEST, "use one client authentication method")
    client_id, secret = basic if basic else (params.get("client_id"), params.get("client_secret"))
    if basic and params.get("client_id") not in (None, client_id):
        raise Refused(Reason.INVALID_REQUEST, "client_id differs from the authenticated client")
    registration = sandbox.clients.get(profile.name, client_id)
    if registration is None:
        raise Refused(Reason.UNKNOWN_CLIENT, "client identifier invalid")
    # Every client Atlas registers is confidential: the secret is always required.
    expected = registration.client_secret.reveal().encode()
    if secret is None or not hmac.compare_digest(secret.encode(), expected):
        raise Refused(Reason.BAD_SECRET, "invalid client credentials")
    return registration


def _exchange(sandbox: Sandbox, profile: Profile, ctx: TokenContext) -> Reply:
    code = ctx.params.get("code")
    if code is None:
        raise Refused(Reason.INVALID_REQUEST, "code is required")
    # Lifetimes the client asked for (Zendesk) are checked before the code is spent.
    profile.access_ttl(ctx.params)
    profile.refresh_ttl(ctx.params)
    verifier = ctx.params.get("code_verifier") if profile.supports_pkce else None
    record = sandbox.codes.redeem_code(
        code,
        client_id=ctx.registration.client_id,
        redirect_uri=ctx.params.get("redirect_uri"),
        verifier=verifier,
    )
    issued = profile.exchange(sandbox.tokens, record, ctx)
    sandbox.stats.count(profile.name, ctx.registration.client_id, "codes_redeemed")
    return profile.token_success(profile.token_body(issued, ctx))


def _refresh(sandbox: Sandbox, profile: Profile, ctx: TokenContext) -> Reply:
    presented = ctx.params.get("refresh_token")
    if presented is None:
        raise Refused(Reason.INVALID_REQUEST, "refresh_token is required")
    issued = sandbox.tokens.refresh(
        presented,
        client_id=ctx.registration.client_id,
        policy=profile.policy(ctx.registration),
        mint_access=profile.mint_access,
        mint_refresh=profile.mint_refresh,
        access_ttl=profile.access_ttl(ctx.params),
        refresh_ttl=profile.refresh_ttl(ctx.params),
    )
    return profile.token_success(profile.refresh_body(issued, ctx))
