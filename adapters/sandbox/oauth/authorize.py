"""The authorization endpoint and the consent decision, shared by every provider.

Order of checks follows RFC 6749 §4.1.2.1: an unknown client or an unregistered redirect URI
is shown an error page and never redirected (that would make the server an open redirector);
every later problem is reported to the registered redirect URI with ``error`` and ``state``.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit

from adapters.sandbox.config import ClientRegistration
from adapters.sandbox.oauth.consent_page import consent_page, error_page
from adapters.sandbox.oauth.model import AuthorizationRequest
from adapters.sandbox.oauth.params import single_values
from adapters.sandbox.oauth.pkce import valid_challenge
from adapters.sandbox.oauth.profile import Profile
from adapters.sandbox.oauth.refusal import Refused
from adapters.sandbox.reply import Reply, redirect
from adapters.sandbox.sandbox import Sandbox


def begin(
    sandbox: Sandbox, profile: Profile, pairs: list[tuple[str, str]], *, action_url: str
) -> Reply:
    try:
        params = single_values(pairs)
    except Refused as refused:
        return error_page(400, refused.description)
    registration = sandbox.clients.get(profile.name, params.get("client_id"))
    if registration is None:
        return error_page(400, "The OAuth client was not found (unknown client_id).")
    redirect_uri = params.get("redirect_uri", "")
    if not registration.owns_redirect(redirect_uri):
        return error_page(400, "redirect_uri_mismatch: the redirect URI is not registered.")
    state = params.get("state")
    problem = _problem(profile, registration, params)
    if problem is not None:
        error, description = problem
        return _back(profile, redirect_uri, state, error=error, error_description=description)
    scopes, user_scopes = profile.parse_scopes(params)
    challenge = params.get("code_challenge") if profile.supports_pkce else None
    request = AuthorizationRequest(
        provider=profile.name,
        client_id=registration.client_id,
        redirect_uri=redirect_uri,
        scopes=scopes,
        user_scopes=user_scopes,
        state=state,
        code_challenge=challenge,
        subject=sandbox.dataset.signed_in(params.get("login_hint")),
        extras=profile.request_extras(params),
    )
    sandbox.stats.count(profile.name, registration.client_id, "authorization_requests")
    consent_id = sandbox.codes.await_consent(request)
    action = urlsplit(action_url).path
    return consent_page(profile, registration, request, consent_id=consent_id, action_path=action)


def decide(sandbox: Sandbox, profile: Profile, form: Mapping[str, list[str]]) -> Reply:
    consent_ids = form.get("consent", [])
    request = sandbox.codes.take_consent(consent_ids[0]) if len(consent_ids) == 1 else None
    if request is None or request.provider != profile.name:
        return error_page(400, "This consent request has expired or was already answered.")
    client = request.client_id
    if form.get("decision") != ["approve"]:
        sandbox.stats.count(profile.name, client, "consents_denied")
        return _back(
            profile,
            request.redirect_uri,
            request.state,
            error="access_denied",
            error_description=profile.denied_description(),
        )
    withheld = sandbox.withheld.get(profile.name, frozenset())
    ticked = set(form.get("scope", [])) if profile.granular_consent else None
    granted = _granted(request.scopes, ticked, withheld)
    granted_user = _granted(request.user_scopes, ticked, withheld)
    code = profile.mint_code()
    sandbox.codes.issue_code(code, request, granted, granted_user, profile.code_ttl)
    sandbox.stats.count(profile.name, client, "consents_approved")
    extras = profile.success_params(granted)
    return _back(profile, request.redirect_uri, request.state, code=code, **extras)


def _problem(
    profile: Profile, registration: ClientRegistration, params: Mapping[str, str]
) -> tuple[str, str] | None:
    if params.get("response_type") != "code":
        return "unsupported_response_type", "response_type must be code"
    scopes, user_scopes = profile.parse_scopes(params)
    if not scopes and not user_scopes:
        return "invalid_scope", "no scope requested"
    unknown = [s for s in (*scopes, *user_scopes) if s not in profile.scopes]
    if unknown:
        return "invalid_scope", f"unknown scope {unknown[0]}"
    if profile.supports_pkce:
        pkce_problem = _pkce_problem(registration, params)
        if pkce_problem is not None:
            return "invalid_request", pkce_problem
    specific = profile.check_authorize(params)
    return ("invalid_request", specific) if specific else None


def _pkce_problem(registration: ClientRegistration, params: Mapping[str, str]) -> str | None:
    challenge, method = params.get("code_challenge"), params.get("code_challenge_method")
    if challenge is None:
        if method is not None:
            return "code_challenge_method without code_challenge"
        return "code_challenge required" if registration.require_pkce else None
    # Deliberately stricter than some providers: 'plain' (or a missing method, which RFC 7636
    # reads as plain) is refused, because Atlas must never fall back to it (R7.1).
    if method != "S256":
        return "code_challenge_method must be S256"
    if not valid_challenge(challenge):
        return "code_challenge must be 43 base64url characters"
    return None


def _granted(
    requested: tuple[str, ...], ticked: set[str] | None, withheld: frozenset[str]
) -> tuple[str, ...]:
    return tuple(s for s in requested if (ticked is None or s in ticked) and s not in withheld)


def _back(profile: Profile, redirect_uri: str, state: str | None, **values: str) -> Reply:
    params = dict(values)
    if state is not None:
        params["state"] = state
    if profile.issuer is not None:
        params["iss"] = profile.issuer
    separator = "&" if urlsplit(redirect_uri).query else "?"
    return redirect(f"{redirect_uri}{separator}{urlencode(params)}")
