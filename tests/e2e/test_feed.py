"""``GET /api/v1/feed`` through the whole app on fakes: refusals before the upgrade, then auth,
ready, and events announced by HTTP actions arriving as the protocol says."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.status_codes import WS_1008_POLICY_VIOLATION
from litestar.testing import AsyncTestClient, WebSocketTestSession

from entrypoints.container import Application
from tests.e2e.harness import build, harness_settings
from tests.e2e.identity_http import PASSWORD, bearer, join, sign_up, sign_up_verified

pytestmark = pytest.mark.e2e

FEED = "/api/v1/feed"
APP = "https://app.example.test"
RFC3339_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[tuple[AsyncTestClient[Any], Application]]:
    app, container = build(harness_settings(tmp_path, ATLAS_APP_ORIGIN=APP))
    async with AsyncTestClient(app) as client:
        yield client, container


async def _next(ws: WebSocketTestSession) -> dict[str, Any]:
    # The socket's app runs on the test client's portal thread; blocking this loop to read would
    # starve the hub, whose reads of the outbox run here, after each HTTP commit.
    return await asyncio.to_thread(ws.receive_json, timeout=5)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        (FEED, "https://evil.example"),
        (FEED, APP.replace("https", "http")),
        (f"{FEED}?access_token=x", APP),
        (f"{FEED}?after=3", None),
    ],
)
async def test_a_foreign_origin_or_any_query_string_is_refused_before_the_upgrade(
    harness: tuple[AsyncTestClient[Any], Application], url: str, origin: str | None
) -> None:
    client, _ = harness
    headers = {"Origin": origin} if origin else {}

    with (
        pytest.raises(WebSocketDisconnect) as refused,
        await client.websocket_connect(url, headers=headers),
    ):
        pass  # pragma: no cover - never accepted

    assert refused.value.code == WS_1008_POLICY_VIOLATION


@pytest.mark.parametrize("origin", [APP, None])
async def test_the_apps_origin_or_none_authenticates_and_is_ready(
    harness: tuple[AsyncTestClient[Any], Application], origin: str | None
) -> None:
    client, _ = harness
    owner = await sign_up(client)
    headers = {"Origin": origin} if origin else {}

    with await client.websocket_connect(FEED, headers=headers) as ws:
        ws.send_json({"type": "auth", "access_token": owner["access_token"], "after": None})
        ready = await _next(ws)

    assert ready == {"type": "ready", "seq": 0}  # a sign-up announces nothing


async def test_a_bad_token_is_closed_4401(
    harness: tuple[AsyncTestClient[Any], Application],
) -> None:
    client, _ = harness

    with await client.websocket_connect(FEED, headers={"Origin": APP}) as ws:
        ws.send_json({"type": "auth", "access_token": "forged", "after": None})
        with pytest.raises(WebSocketDisconnect) as closed:
            await _next(ws)

    assert closed.value.code == 4401


async def test_a_new_sign_in_reaches_the_owner_as_a_security_alert(
    harness: tuple[AsyncTestClient[Any], Application],
) -> None:
    client, _ = harness
    email = f"owner-{uuid4().hex[:8]}@example.com"
    owner = await sign_up(client, email=email)

    with await client.websocket_connect(FEED, headers={"Origin": APP}) as ws:
        ws.send_json({"type": "auth", "access_token": owner["access_token"], "after": None})
        ready = await _next(ws)
        signed_in = await client.post(
            "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        )
        alert = await _next(ws)

    assert signed_in.status_code == 200, signed_in.text
    assert set(alert) == {"type", "seq", "kind", "at", "data"}
    assert (alert["type"], alert["seq"], alert["kind"]) == (
        "event",
        ready["seq"] + 1,
        "security.alert",
    )
    assert RFC3339_Z.match(alert["at"])
    assert alert["data"]["alert"] == "sign_in"
    assert alert["data"]["user_id"] == owner["user_id"]


async def test_a_role_change_reaches_a_member_and_resume_replays_it(
    harness: tuple[AsyncTestClient[Any], Application],
) -> None:
    client, container = harness
    sent = container.adapters().email().sent
    owner = await sign_up_verified(client, sent)
    member = await join(client, sent, owner, "member", f"m-{uuid4().hex[:8]}@example.com")

    with await client.websocket_connect(FEED) as ws:
        ws.send_json({"type": "auth", "access_token": member["access_token"], "after": None})
        ready = await _next(ws)
        changed = await client.patch(
            f"/api/v1/tenants/current/members/{member['user_id']}",
            json={"role": "viewer"},
            headers=bearer(owner),
        )
        live = await _next(ws)
    with await client.websocket_connect(FEED) as ws:
        ws.send_json(
            {"type": "auth", "access_token": member["access_token"], "after": ready["seq"]}
        )
        resumed = [await _next(ws), await _next(ws)]

    assert changed.status_code == 200, changed.text
    assert (live["type"], live["kind"], live["seq"]) == (
        "event",
        "member.changed",
        ready["seq"] + 1,
    )
    assert live["data"] == {
        "user_id": member["user_id"],
        "change": "role_changed",
        "role": "viewer",
    }
    assert resumed == [{"type": "ready", "seq": live["seq"]}, live]


async def test_a_text_ping_is_answered_and_a_binary_frame_closes_4400(
    harness: tuple[AsyncTestClient[Any], Application],
) -> None:
    client, _ = harness
    owner = await sign_up(client)

    with await client.websocket_connect(FEED, headers={"Origin": APP}) as ws:
        ws.send_json({"type": "auth", "access_token": owner["access_token"], "after": None})
        await _next(ws)
        ws.send_json({"type": "ping"})
        pong = await _next(ws)
        ws.send_bytes(b'{"type": "ping"}')
        with pytest.raises(WebSocketDisconnect) as closed:
            await _next(ws)

    assert pong == {"type": "pong"}
    assert closed.value.code == 4400
