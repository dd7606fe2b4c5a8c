"""The consent page a person clicks through: server-rendered, no script, a strict CSP."""

from __future__ import annotations

import base64
import hashlib
from html import escape
from urllib.parse import urlsplit

from adapters.sandbox.config import ClientRegistration
from adapters.sandbox.oauth.model import AuthorizationRequest
from adapters.sandbox.oauth.profile import Profile
from adapters.sandbox.reply import HTML, Reply

_STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;"
    "color:#1d2430}h1{font-size:1.4rem}.who{color:#5b6575}ul{padding-left:1.2rem}"
    "li{margin:.4rem 0}code{font-size:.8rem;color:#5b6575}.row{display:flex;gap:.75rem;"
    "margin-top:1.5rem}button{font:inherit;padding:.55rem 1.3rem;border-radius:.4rem;"
    "border:1px solid #9aa3b2;background:#fff;cursor:pointer}button.go{background:#1f5eff;"
    "color:#fff;border-color:#1f5eff}.note{font-size:.85rem;color:#5b6575;margin-top:2rem}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()


def consent_page(
    profile: Profile,
    registration: ClientRegistration,
    request: AuthorizationRequest,
    *,
    consent_id: str,
    action_path: str,
) -> Reply:
    body = _document(profile, registration, request, consent_id, action_path)
    return Reply(status=200, body=body, media_type=HTML, headers=_headers(request.redirect_uri))


def error_page(status: int, message: str) -> Reply:
    """For requests that must not be redirected (unknown client, unregistered redirect URI)."""
    body = (
        "<!doctype html><html lang=en><meta charset=utf-8><title>Sign-in error</title>"
        f"<style>{_STYLE}</style><h1>Something is wrong with this request</h1>"
        f"<p>{escape(message)}</p></html>"
    )
    return Reply(status=status, body=body, media_type=HTML, headers=_headers(None))


def _headers(redirect_uri: str | None) -> tuple[tuple[str, str], ...]:
    # A redirect after a form POST is checked against form-action by browsers, so the client's
    # callback origin (and only it) is allowed beside the page's own.
    target = ""
    if redirect_uri:
        parts = urlsplit(redirect_uri)
        target = f" {parts.scheme}://{parts.netloc}"
    csp = (
        f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; form-action 'self'{target}; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    return (
        ("Content-Security-Policy", csp),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    )


def _document(
    profile: Profile,
    registration: ClientRegistration,
    request: AuthorizationRequest,
    consent_id: str,
    action_path: str,
) -> str:
    app, provider = escape(registration.app_name), escape(profile.title)
    scopes = "".join(_scope_item(profile, s) for s in (*request.scopes, *request.user_scopes))
    return (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{provider}: allow {app}?</title><style>{_STYLE}</style>"
        f"<h1>{app} wants to access your {provider} account</h1>"
        f'<p class="who">Signed in as {escape(request.subject)}</p>'
        f'<form method="post" action="{escape(action_path)}">'
        f'<input type="hidden" name="consent" value="{escape(consent_id)}">'
        f"<p>{app} will be able to:</p><ul>{scopes}</ul>"
        '<div class="row"><button class="go" type="submit" name="decision" value="approve">'
        'Allow</button><button type="submit" name="decision" value="deny">Deny</button></div>'
        "</form>"
        f'<p class="note">Provider sandbox: {provider} emulated by Atlas for development and '
        "tests. No real account is involved.</p></html>"
    )


def _scope_item(profile: Profile, scope: str) -> str:
    words = escape(profile.scopes.get(scope, scope))
    if profile.granular_consent:
        # Google lets the person untick what they do not want to share.
        return (
            f'<li><label><input type="checkbox" name="scope" value="{escape(scope)}" checked> '
            f"{words}</label> <code>{escape(scope)}</code></li>"
        )
    return f"<li>{words} <code>{escape(scope)}</code></li>"
