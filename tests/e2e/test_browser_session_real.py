"""The browser app's cookie session and the sessions list on the real stack (PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.http.browser_session import REFRESH_COOKIE
from tests.conftest import FreshDatabase
from tests.e2e.browser_http import ATTRIBUTES, credentials, refresh_cookie_of, set_cookie, web
from tests.e2e.identity_http import PASSWORD, bearer, sign_up
from tests.factories.real_api import real_api

pytestmark = pytest.mark.e2e
SESSIONS = "/api/v1/auth/sessions"
CLEARED = f"{REFRESH_COOKIE}=; {ATTRIBUTES}; Max-Age=0"


@pytest.fixture
async def client(
    fresh_database: FreshDatabase, tmp_path: Path
) -> AsyncIterator[AsyncTestClient[Any]]:
    async with real_api(fresh_database.app, tmp_path) as client:
        yield client


async def test_the_cookie_refreshes_rotates_and_a_replay_ends_the_session(
    client: AsyncTestClient[Any],
) -> None:
    email = f"web-{id(client)}@example.com"
    api = await sign_up(client, email=email)  # another session, from an API client
    login = await client.post(
        "/api/v1/auth/login", json=credentials(email, PASSWORD), headers=web()
    )
    first = refresh_cookie_of(login)

    listed = await client.get(SESSIONS, headers=bearer(login.json()))
    second = refresh_cookie_of(
        await client.post("/api/v1/auth/refresh", json={}, headers=web(cookie=first))
    )
    third = refresh_cookie_of(
        await client.post("/api/v1/auth/refresh", json={}, headers=web(cookie=second))
    )
    replayed = await client.post("/api/v1/auth/refresh", json={}, headers=web(cookie=first))
    holder = await client.post("/api/v1/auth/refresh", json={}, headers=web(cookie=third))
    left = await client.get(SESSIONS, headers=bearer(api))

    assert login.json()["refresh_token"] is None
    assert listed.status_code == 200, listed.text
    assert [s["current"] for s in listed.json()] == [False, True]
    assert len({first, second, third}) == 3
    assert replayed.status_code == 401  # two rotations back: a replay, whatever the window
    assert set_cookie(replayed) == CLEARED
    assert holder.status_code == 401  # the family is revoked: the holder is out too
    assert [s["current"] for s in left.json()] == [True]  # only the API client's session


async def test_ending_a_session_by_id_and_another_users_is_404(
    client: AsyncTestClient[Any],
) -> None:
    ada = await sign_up(client, email=f"ada-{id(client)}@example.com")
    bob = await sign_up(client, email=f"bob-{id(client)}@example.com")
    phone = (
        await client.post(
            "/api/v1/auth/login", json=credentials(f"ada-{id(client)}@example.com", PASSWORD)
        )
    ).json()
    (bob_session,) = [s["id"] for s in (await client.get(SESSIONS, headers=bearer(bob))).json()]
    listed = (await client.get(SESSIONS, headers=bearer(ada))).json()
    (phone_session,) = [s["id"] for s in listed if not s["current"]]

    foreign = await client.delete(f"{SESSIONS}/{bob_session}", headers=bearer(ada))
    ended = await client.delete(f"{SESSIONS}/{phone_session}", headers=bearer(ada))
    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]}
    )
    still = await client.get(SESSIONS, headers=bearer(bob))

    assert foreign.status_code == 404
    assert foreign.json()["code"] == "auth.session_not_found"
    assert ended.status_code == 204
    assert refresh.status_code == 401
    assert [s["id"] for s in still.json()] == [bob_session]
