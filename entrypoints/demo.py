"""``atlas demo``: a new user's first minutes, through the HTTP API a browser uses.

Against a running Atlas in development (``make run``) and its provider sandbox: sign up a demo
account, verify its email from the development outbox, connect all seven providers through the
real OAuth consent flow (the start link, the provider's consent page, the callback), sync
them, and read the process maps back.
"""

from __future__ import annotations

import asyncio
import html
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import httpx
import msgspec

from domain.integrations.providers import CATALOG

SUBDOMAINS = {"zendesk": "northwind"}
FINISHED = {"succeeded", "failed", "cancelled"}
_ACTION = re.compile(r'<form method="post" action="([^"]+)"')
_CONSENT = re.compile(r'name="consent" value="([^"]+)"')
_SCOPES = re.compile(r'name="scope" value="([^"]+)"')
_LINK = re.compile(r"/verify-email#token=(\S+)")

Say = Callable[[str], None]


class DemoError(Exception):
    """The demo could not go on; the message says what to do."""


class DemoAccount(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    password: str
    tokens: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}

    def __repr__(self) -> str:  # the password and tokens must not reach a log through a repr
        return f"DemoAccount(email={self.email!r}, password=***, tokens=***)"


async def sign_up(client: httpx.AsyncClient) -> DemoAccount:
    email = f"demo-{secrets.token_hex(4)}@northwind.example"
    password = secrets.token_urlsafe(18)
    body = {"email": email, "password": password, "name": "Demo Person",
            "organisation": "Northwind Analytics (demo)"}  # fmt: skip
    answer = await client.post("/api/v1/auth/signup", json=body)
    _expect(answer, 201, "signing up")
    return DemoAccount(email=email, password=password, tokens=answer.json())


async def verify_email(client: httpx.AsyncClient, account: DemoAccount) -> None:
    """Follow the verification link a new account is emailed, as a developer would: from the
    development outbox, whose directory ``GET /me`` names. Connecting needs a verified address."""
    me = await client.get("/api/v1/me", headers=account.headers)
    _expect(me, 200, "reading the new account")
    outbox = me.json().get("email_outbox")
    if outbox is None:
        raise DemoError("the demo needs the development outbox (no email service configured)")
    user = account.tokens["user_id"]
    token = await asyncio.to_thread(verification_token, Path(outbox), user)
    if token is None:
        raise DemoError(f"no verification email for the demo account in {outbox}")
    answer = await client.post("/api/v1/auth/verify-email", json={"token": token})
    _expect(answer, 204, "verifying the demo account's email")


def verification_token(outbox: Path, user_id: str) -> str | None:
    """The newest verification link's token for ``user_id`` in a development outbox."""
    for path in sorted(outbox.glob("*-email_verification-*.txt"), reverse=True):
        match = _LINK.search(path.read_text())
        if match and match.group(1).split(".")[1] == user_id:
            return match.group(1)
    return None


async def connect(client: httpx.AsyncClient, account: DemoAccount, provider: str) -> str:
    """Start, open the start ticket as the account that started (it binds this client), approve
    at the provider, come back."""
    body: dict[str, str] = {"provider": provider}
    if provider in SUBDOMAINS:
        body["subdomain"] = SUBDOMAINS[provider]
    started = await client.post("/api/v1/connections", json=body, headers=account.headers)
    _expect(started, 201, f"starting to connect {provider}")
    ticket = {"ticket": started.json()["start_ticket"]}
    opened = await client.post("/api/v1/oauth/start", json=ticket, headers=account.headers)
    _expect(opened, 200, f"opening {provider}'s start ticket")
    page = await client.get(opened.json()["provider_url"], follow_redirects=False)
    _expect(page, 200, f"{provider}'s consent page")
    decided = await _approve(client, str(page.url), page.text)
    _expect(decided, 302, f"approving {provider}")
    back = await client.get(decided.headers["location"], follow_redirects=False)
    outcome = dict(parse_qsl(urlsplit(back.headers.get("location", "")).query))
    if outcome.get("outcome") != "connected":
        raise DemoError(f"{provider} did not connect: {outcome.get('reason', back.status_code)}")
    return str(outcome["connection"])


async def _approve(client: httpx.AsyncClient, page_url: str, page: str) -> httpx.Response:
    action, consent = _ACTION.search(page), _CONSENT.search(page)
    if action is None or consent is None:
        raise DemoError("the provider's consent page has no form to approve")
    form = [("consent", html.unescape(consent.group(1))), ("decision", "approve")]
    form += [("scope", html.unescape(s)) for s in _SCOPES.findall(page)]  # every box ticked
    return await client.post(
        urljoin(page_url, html.unescape(action.group(1))),
        content=urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )


async def sync_all(
    client: httpx.AsyncClient, account: DemoAccount, connections: dict[str, str], say: Say,
    *, within: float = 600.0,
) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Reach back two years, sync every connection now, wait for the worker to finish them."""
    runs: dict[str, str] = {}
    for provider, connection in connections.items():
        path = f"/api/v1/connections/{connection}"
        _expect(await client.patch(path, json={"backfill_days": 730}, headers=account.headers),
                200, f"setting {provider}'s backfill")  # fmt: skip
        run = await client.post(f"{path}/sync", headers=account.headers)
        _expect(run, 202, f"syncing {provider}")
        runs[provider] = run.json()["id"]
    done: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + within
    while len(done) < len(runs):
        if time.monotonic() > deadline:
            raise DemoError(f"syncs still running after {within:.0f} s: is a worker running?")
        for provider, run_id in runs.items():
            if provider in done:
                continue
            run = (await client.get(f"/api/v1/sync-runs/{run_id}", headers=account.headers)).json()
            if run["status"] in FINISHED:
                done[provider] = run
                say(f"  {provider:<16} {run['status']:<10} {run['records_new']:>6} new records")
        await asyncio.sleep(0.5)
    return done


async def process_map(
    client: httpx.AsyncClient, account: DemoAccount, object_type: str
) -> dict[str, Any]:
    answer = await client.get(
        "/api/v1/graph/process-map", params={"object_type": object_type, "top": 8},
        headers=account.headers,
    )  # fmt: skip
    _expect(answer, 200, f"the {object_type} process map")
    return answer.json()  # type: ignore[no-any-return]


def providers() -> list[str]:
    return list(CATALOG)


def _expect(answer: httpx.Response, status: int, doing: str) -> None:
    if answer.status_code != status:
        code = ""
        if answer.headers.get("content-type", "").startswith("application/problem+json"):
            code = f" ({answer.json().get('code')})"
        raise DemoError(f"{doing} failed: HTTP {answer.status_code}{code}")
