"""A provider sandbox for tests, and a driver for the authorization-code flow against it.

The driver does what a browser and Atlas's OAuth client would: open the authorize URL, read the
consent page, press Allow or Deny, and redeem the code. Connector tests can reuse it.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx

from adapters.fakes.clock import FrozenClock
from adapters.sandbox.app import create_sandbox_app
from adapters.sandbox.config import (
    Provider,
    SandboxConfig,
    development_client_id,
    development_registrations,
    development_secret,
)
from adapters.sandbox.control_key import control_headers
from adapters.sandbox.sandbox import Sandbox
from domain.shared.secret import Secret

NOW = datetime(2026, 1, 20, 12, 0, tzinfo=UTC)  # the seeded data runs 2025-09-01 .. 2026-01-29
BASE = "https://sandbox.test"
CONTROL_KEY = Secret("test-sandbox-control-key")  # what the tests' sandboxes ask for
HUBSPOT_SCOPES = (
    "oauth crm.objects.deals.read crm.objects.contacts.read crm.objects.companies.read "
    "crm.objects.tickets.read sales-email-read"
)
GOOGLE_SCOPES = (
    "https://www.googleapis.com/auth/gmail.metadata "
    "https://www.googleapis.com/auth/calendar.readonly"
)
SLACK_USER_SCOPES = (
    "channels:read,groups:read,channels:history,groups:history,users:read,users:read.email"
)


def callback(provider: str) -> str:
    return f"https://127.0.0.1:8443/api/v1/oauth/callback/{provider}"


@dataclass(frozen=True)
class Flow:
    """How Atlas asks one provider for access."""

    authorize: str
    token: str
    scope: dict[str, str]
    extra: dict[str, str] = field(default_factory=dict)
    pkce: bool = False


FLOWS: dict[Provider, Flow] = {
    "salesforce": Flow(
        "/salesforce/services/oauth2/authorize",
        "/salesforce/services/oauth2/token",
        {"scope": "api refresh_token"},
        pkce=True,
    ),
    "hubspot": Flow(
        "/hubspot/oauth/authorize",
        "/hubspot/oauth/2026-03/token",
        {"scope": HUBSPOT_SCOPES},
    ),
    "google": Flow(
        "/google/o/oauth2/v2/auth",
        "/google/token",
        {"scope": GOOGLE_SCOPES},
        {"access_type": "offline", "prompt": "consent", "include_granted_scopes": "true"},
        pkce=True,
    ),
    "slack": Flow(
        "/slack/oauth/v2/authorize",
        "/slack/api/oauth.v2.access",
        {"user_scope": SLACK_USER_SCOPES},
    ),
    "zendesk": Flow(
        "/zendesk/oauth/authorizations/new", "/zendesk/oauth/tokens", {"scope": "read"}, pkce=True
    ),
    "jira": Flow(
        "/jira/authorize",
        "/jira/oauth/token",
        {"scope": "read:jira-work read:jira-user offline_access"},
        {"audience": "api.atlassian.com", "prompt": "consent"},
    ),
}


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def config(**overrides: Any) -> SandboxConfig:
    values: dict[str, Any] = {
        "registrations": development_registrations(),
        "data_start": datetime(2025, 9, 1, tzinfo=UTC),
        "data_days": 150,
        "control_key": CONTROL_KEY,
    }
    return SandboxConfig(**(values | overrides))


@dataclass
class Harness:
    sandbox: Sandbox
    clock: FrozenClock
    client: httpx.AsyncClient  # presents the control key (a test drives the sandbox)
    sleeps: list[float]  # every wait the sandbox asked for; nothing really sleeps
    stranger: httpx.AsyncClient  # the same sandbox, reached without the control key


@asynccontextmanager
async def running_sandbox(**overrides: Any) -> AsyncIterator[Harness]:
    clock = FrozenClock(NOW)
    sleeps: list[float] = []

    async def no_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    sandbox = Sandbox(config(**overrides), clock, sleep=no_sleep)
    transport = httpx.ASGITransport(app=create_sandbox_app(sandbox))
    key = control_headers(sandbox.config.control_key or CONTROL_KEY)
    async with (
        httpx.AsyncClient(transport=transport, base_url=BASE, headers=key) as client,
        httpx.AsyncClient(transport=transport, base_url=BASE) as stranger,
    ):
        yield Harness(sandbox, clock, client, sleeps, stranger)


@dataclass
class Attempt:
    """One authorization in progress: what was sent, so a test can alter any part of it."""

    provider: Provider
    state: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    verifier: str = ""
    params: dict[str, str] = field(default_factory=dict)


def attempt(provider: Provider, **params: str) -> Attempt:
    flow = FLOWS[provider]
    sent = {
        "response_type": "code",
        "client_id": development_client_id(provider),
        "redirect_uri": callback(provider),
        **flow.scope,
        **flow.extra,
    }
    result = Attempt(provider)
    if flow.pkce:
        result.verifier, sent["code_challenge"] = pkce_pair()
        sent["code_challenge_method"] = "S256"
    sent["state"] = result.state
    result.params = {k: v for k, v in (sent | params).items() if v != ""}
    return result


async def open_consent(client: httpx.AsyncClient, started: Attempt) -> httpx.Response:
    return await client.get(FLOWS[started.provider].authorize, params=started.params)


def consent_form(page: httpx.Response) -> tuple[str, str]:
    """``(form action, one-time consent token)`` read from the consent page."""
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    token = re.search(r'name="consent" value="([^"]+)"', page.text)
    assert action is not None, page.text
    assert token is not None, page.text
    return action.group(1), token.group(1)


async def decide(
    client: httpx.AsyncClient,
    page: httpx.Response,
    decision: str = "approve",
    scopes: list[str] | None = None,
) -> httpx.URL:
    """Press a button on the consent page; returns where the browser is sent back to."""
    action, token = consent_form(page)
    ticked = re.findall(r'name="scope" value="([^"]+)"', page.text) if scopes is None else scopes
    form = [("consent", token), ("decision", decision), *(("scope", s) for s in ticked)]
    answer = await client.post(
        action,
        content=urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 302, answer.text
    return httpx.URL(answer.headers["location"])


def client_auth(provider: Provider) -> dict[str, str]:
    return {
        "client_id": development_client_id(provider),
        "client_secret": development_secret(provider),
    }


async def redeem(
    client: httpx.AsyncClient, started: Attempt, code: str, **overrides: str
) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": started.params.get("redirect_uri", ""),
        **client_auth(started.provider),
    }
    if started.verifier:
        form["code_verifier"] = started.verifier
    form = {k: v for k, v in (form | overrides).items() if v != ""}
    return await client.post(FLOWS[started.provider].token, data=form)


async def refresh(
    client: httpx.AsyncClient, provider: Provider, refresh_token: str
) -> httpx.Response:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, **client_auth(provider)}
    return await client.post(FLOWS[provider].token, data=form)


async def connect(client: httpx.AsyncClient, provider: Provider, **params: str) -> dict[str, Any]:
    """The whole flow, approved; returns the token response body."""
    started = attempt(provider, **params)
    returned = await decide(client, await open_consent(client, started))
    answer = await redeem(client, started, returned.params["code"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body.get("ok", True), body
    return body


def access_token(provider: Provider, tokens: dict[str, Any]) -> str:
    if provider == "slack" and "access_token" not in tokens:
        return tokens["authed_user"]["access_token"]
    return tokens["access_token"]


def refresh_token(provider: Provider, tokens: dict[str, Any]) -> str:
    if provider == "slack" and "refresh_token" not in tokens:
        return tokens["authed_user"]["refresh_token"]
    return tokens["refresh_token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
