"""GET and DELETE /api/v1/auth/sessions on the fake tier: your own live sessions only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.browser_http import credentials
from tests.e2e.harness import build, harness_settings
from tests.e2e.identity_http import PASSWORD, bearer, sign_up

SESSIONS = "/api/v1/auth/sessions"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[AsyncTestClient[Any]]:
    app, _ = build(harness_settings(tmp_path))
    async with AsyncTestClient(app) as client:
        yield client


async def _login(client: AsyncTestClient[Any], email: str) -> dict[str, Any]:
    response = await client.post("/api/v1/auth/login", json=credentials(email, PASSWORD))
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def _session_of(client: AsyncTestClient[Any], tokens: dict[str, Any]) -> str:
    listed = (await client.get(SESSIONS, headers=bearer(tokens))).json()
    (current,) = [s["id"] for s in listed if s["current"]]
    return str(current)


async def test_the_list_shows_my_live_sessions_and_which_is_this_one(
    client: AsyncTestClient[Any],
) -> None:
    first = await sign_up(client, email="ada@example.com")
    second = await _login(client, "ada@example.com")
    ended = await _login(client, "ada@example.com")
    await client.post("/api/v1/auth/logout", headers=bearer(ended))

    response = await client.get(SESSIONS, headers=bearer(second))

    assert response.status_code == 200, response.text
    listed = response.json()
    assert [s["current"] for s in listed] == [False, True]
    assert [s["id"] for s in listed] == [
        await _session_of(client, first),
        await _session_of(client, second),
    ]
    assert set(listed[0]) == {"id", "created_at", "last_used_at", "expires_at", "current"}


async def test_ending_a_session_by_id_stops_its_refresh_token(
    client: AsyncTestClient[Any],
) -> None:
    phone = await sign_up(client, email="ada@example.com")
    laptop = await _login(client, "ada@example.com")

    phone_id, laptop_id = await _session_of(client, phone), await _session_of(client, laptop)

    ended = await client.delete(f"{SESSIONS}/{phone_id}", headers=bearer(laptop))
    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]}
    )
    listed = (await client.get(SESSIONS, headers=bearer(laptop))).json()

    assert ended.status_code == 204
    assert refresh.status_code == 401
    assert [s["id"] for s in listed] == [laptop_id]


async def test_another_users_or_an_unknown_session_is_404(client: AsyncTestClient[Any]) -> None:
    ada = await sign_up(client, email="ada@example.com")
    bob = await sign_up(client, email="bob@example.com")

    for session_id in (await _session_of(client, bob), str(uuid4())):
        response = await client.delete(f"{SESSIONS}/{session_id}", headers=bearer(ada))
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "auth.session_not_found"
    still = await client.post("/api/v1/auth/refresh", json={"refresh_token": bob["refresh_token"]})
    assert still.status_code == 200


async def test_the_sessions_need_a_bearer_token(client: AsyncTestClient[Any]) -> None:
    assert (await client.get(SESSIONS)).status_code == 401
    assert (await client.delete(f"{SESSIONS}/{uuid4()}")).status_code == 401
