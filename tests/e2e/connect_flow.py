"""Drive the connect flow through Atlas's HTTP API and the mounted sandbox, like a browser.

The test client carries no cookies between steps: each step is given the browser binding it
should present, so a test can play a second browser, a second user, or no browser at all.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from uuid import UUID, uuid4

import pytest
from litestar.testing import AsyncTestClient

from application.shared.actor import Actor
from domain.identity.model import Role
from domain.shared.ids import TenantId, new_tenant_id, new_user_id
from entrypoints.container import Application
from tests.e2e.harness import bearer, build, harness_settings
from tests.factories.sandbox_control import control_in

BASE = "https://127.0.0.1:8443"
COOKIE = "__Host-atlas_oauth"
Client = AsyncTestClient[Any]


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[tuple[Client, Application]]:
    """The app on fakes, its sandbox mounted, reached at the development origin."""
    app, container = build(harness_settings(tmp_path))
    async with AsyncTestClient(app, base_url=BASE) as client:
        yield client, container


def person(tenant: TenantId | None = None, role: Role = Role.MEMBER) -> Actor:
    return Actor(
        tenant_id=tenant or new_tenant_id(), user_id=new_user_id(), role=role, session_id=uuid4()
    )


@dataclass
class Attempt:
    connection_id: UUID
    authorization_url: str
    provider_url: str
    ticket: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # who started: they open the ticket
    cookie: str = ""  # the browser binding, once the start ticket was opened


@dataclass
class Opened:
    status_code: int
    location: str  # where the app sends the browser: the provider's authorization page
    text: str
    set_cookie: str  # the binding the browser was given, with its attributes ("" for none)
    code: str  # the problem's stable code when refused


@dataclass
class Outcome:
    status: int
    outcome: str
    reason: str
    connection: str | None
    location: str


async def start(client: Client, container: Application, actor: Actor, **body: Any) -> Attempt:
    return await start_with(client, bearer(container, actor), **body)


async def start_with(client: Client, headers: dict[str, str], **body: Any) -> Attempt:
    """Start connecting as whoever ``headers`` authenticate (a real sign-in on a real stack)."""
    answer = await client.post("/api/v1/connections", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return attempt_of(answer.json(), headers)


def attempt_of(data: dict[str, Any], headers: dict[str, str]) -> Attempt:
    """What a start (or reconnect) answered, and who asked."""
    return Attempt(
        UUID(data["connection_id"]),
        data["authorization_url"],
        data["provider_authorization_url"],
        ticket=data["start_ticket"],
        headers=headers,
    )


async def open_start(
    client: Client,
    attempt: Attempt,
    cookie: str | None = None,
    *,
    as_whom: dict[str, str] | None = None,
) -> Opened:
    """The web app opens the start ticket, as the person who started unless ``as_whom`` says
    otherwise (``{}``: nobody signed in); remembers the binding cookie the browser was given."""
    client.cookies.clear()
    headers = dict(attempt.headers if as_whom is None else as_whom)
    if cookie:
        headers["Cookie"] = f"{COOKIE}={cookie}"
    answer = await client.post(
        "/api/v1/oauth/start", json={"ticket": attempt.ticket}, headers=headers
    )
    set_cookie = answer.headers.get("set-cookie", "")
    if set_cookie.startswith(COOKIE + "="):
        attempt.cookie = set_cookie.split(";")[0].split("=", 1)[1]
    client.cookies.clear()
    data = answer.json()
    location = data.get("provider_url", "") if answer.status_code == 200 else ""
    return Opened(answer.status_code, location, answer.text, set_cookie, data.get("code", ""))


def altered(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query)) | params
    return urlunsplit(parts._replace(query=urlencode(query)))


async def consent(client: Client, provider_url: str, decision: str = "approve") -> Any:
    """Read the consent page and press a button (every offered scope ticked)."""
    page = await client.get(provider_url, follow_redirects=False)
    if page.status_code != 200:
        return page
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    token = re.search(r'name="consent" value="([^"]+)"', page.text)
    assert action is not None, page.text
    assert token is not None, page.text
    ticked = re.findall(r'name="scope" value="([^"]+)"', page.text)
    form = [("consent", token.group(1)), ("decision", decision), *(("scope", s) for s in ticked)]
    return await client.post(
        action.group(1),
        content=urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )


async def come_back(client: Client, callback_url: str, cookie: str | None) -> Outcome:
    client.cookies.clear()
    headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
    answer = await client.get(callback_url, headers=headers, follow_redirects=False)
    location = answer.headers.get("location", "")
    query = dict(parse_qsl(urlsplit(location).query))
    return Outcome(
        answer.status_code,
        query.get("outcome", ""),
        query.get("reason", ""),
        query.get("connection"),
        location,
    )


async def connect(
    client: Client, container: Application, actor: Actor, provider: str, **body: Any
) -> tuple[Attempt, Outcome]:
    """The whole flow, approved: start, open the link, consent, come back."""
    return await connect_with(client, bearer(container, actor), provider, **body)


async def connect_with(
    client: Client, headers: dict[str, str], provider: str, **body: Any
) -> tuple[Attempt, Outcome]:
    attempt = await start_with(client, headers, provider=provider, **body)
    opened = await open_start(client, attempt)
    assert opened.status_code == 200, opened.text
    decided = await consent(client, opened.location)
    assert decided.status_code == 302, decided.text
    return attempt, await come_back(client, decided.headers["location"], attempt.cookie)


async def sandbox_stats(client: Client, provider: str) -> dict[str, int]:
    stats = (await client.get("/sandbox/_control/stats", headers=control_in(client.app))).json()
    return stats.get(provider, {}).get("total", {})  # type: ignore[no-any-return]
