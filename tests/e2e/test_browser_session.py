"""The browser app's session on the fake tier: a __Host- cookie, a custom header, exact Origin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.container import Application
from entrypoints.http.browser_session import REFRESH_COOKIE
from tests.e2e.browser_http import ATTRIBUTES, credentials, refresh_cookie_of, set_cookie, web
from tests.e2e.harness import build, harness_settings
from tests.e2e.identity_http import PASSWORD, bearer, sign_up

IDLE = 7 * 24 * 3600  # the default ATLAS_REFRESH_IDLE_SECONDS
SIGNUP = {"email": "ada@example.com", "password": PASSWORD, "name": "Ada", "organisation": "Acme"}


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[tuple[AsyncTestClient[Any], Application]]:
    app, container = build(harness_settings(tmp_path))
    async with AsyncTestClient(app) as client:
        yield client, container


async def _web_login(client: AsyncTestClient[Any]) -> tuple[dict[str, Any], str]:
    response = await client.post(
        "/api/v1/auth/login", json=credentials("ada@example.com", PASSWORD), headers=web()
    )
    assert response.status_code == 200, response.text
    return response.json(), refresh_cookie_of(response)


async def test_web_sign_up_and_sign_in_set_the_cookie_and_keep_the_token_out_of_the_body(
    harness: tuple[AsyncTestClient[Any], Application],
) -> None:
    client, _ = harness

    signed_up = await client.post("/api/v1/auth/signup", json=SIGNUP, headers=web())
    signed_in = await client.post(
        "/api/v1/auth/login", json=credentials("ada@example.com", PASSWORD), headers=web()
    )

    for response, status in ((signed_up, 201), (signed_in, 200)):
        assert response.status_code == status, response.text
        body = response.json()
        assert body["refresh_token"] is None
        assert body["access_token"]
        token = refresh_cookie_of(response)
        assert set_cookie(response) == f"{REFRESH_COOKIE}={token}; {ATTRIBUTES}; Max-Age={IDLE}"
        assert token.count(".") == 2  # the opaque refresh token itself


async def test_api_clients_without_the_header_keep_the_token_in_the_body(
    harness: tuple[AsyncTestClient[Any], Application],
) -> None:
    client, _ = harness
    tokens = await sign_up(client, email="ada@example.com")

    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    empty = await client.post("/api/v1/auth/refresh", json={})

    assert isinstance(tokens["refresh_token"], str)
    assert refreshed.status_code == 200
    assert isinstance(refreshed.json()["refresh_token"], str)
    assert set_cookie(refreshed) is None
    assert empty.status_code == 400  # as before: API clients must name their token


async def test_refresh_from_the_cookie_rotates_it_and_a_replay_ends_the_session(
    harness: tuple[AsyncTestClient[Any], Application],
) -> None:
    client, container = harness
    await sign_up(client, email="ada@example.com")
    _, first = await _web_login(client)

    rotated = await client.post("/api/v1/auth/refresh", json={}, headers=web(cookie=first))
    second = refresh_cookie_of(rotated)
    me = await client.get("/api/v1/me", headers=bearer(rotated.json()))
    container.adapters.clock().advance(timedelta(seconds=31))  # past the reuse window
    replayed = await client.post("/api/v1/auth/refresh", json={}, headers=web(cookie=first))
    after = await client.post("/api/v1/auth/refresh", json={}, headers=web(cookie=second))

    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["refresh_token"] is None
    assert second != first
    assert me.status_code == 200
    assert replayed.status_code == 401
    assert replayed.json()["code"] == "auth.invalid_refresh_token"
    assert set_cookie(replayed) == f"{REFRESH_COOKIE}=; {ATTRIBUTES}; Max-Age=0"
    assert after.status_code == 401  # the whole family is revoked: the holder is out too
    assert set_cookie(after) == f"{REFRESH_COOKIE}=; {ATTRIBUTES}; Max-Age=0"


async def test_a_web_refresh_without_any_cookie_is_204_nobody_signed_in_here(
    harness: tuple[AsyncTestClient[Any], Application],
) -> None:
    client, _ = harness

    response = await client.post("/api/v1/auth/refresh", json={}, headers=web())

    assert response.status_code == 204  # the app's first visit: not an error to log
    assert response.content == b""
    assert set_cookie(response) is None


async def test_a_web_refresh_with_a_dead_cookie_is_401_and_clears_it(
    harness: tuple[AsyncTestClient[Any], Application],
) -> None:
    client, _ = harness

    response = await client.post("/api/v1/auth/refresh", json={}, headers=web(cookie="not.a.token"))

    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_refresh_token"
    assert set_cookie(response) == f"{REFRESH_COOKIE}=; {ATTRIBUTES}; Max-Age=0"


@pytest.mark.parametrize(
    "origin",
    [None, "https://evil.example", "https://127.0.0.1:8443.evil.example", "http://127.0.0.1:8443",
     "null", "https://127.0.0.1:8443/"],
    ids=["missing", "other", "suffix", "http", "null", "trailing-slash"],
)  # fmt: skip
@pytest.mark.parametrize("path", ["login", "signup", "refresh", "invitations/accept"])
async def test_the_header_without_an_exact_app_origin_is_refused_as_csrf(
    harness: tuple[AsyncTestClient[Any], Application], origin: str | None, path: str
) -> None:
    client, _ = harness
    body = {
        "login": credentials("ada@example.com", PASSWORD),
        "signup": {**SIGNUP, "email": "cy@example.com"},
        "refresh": {},
        "invitations/accept": {"token": "x", "password": PASSWORD},
    }[path]

    response = await client.post(f"/api/v1/auth/{path}", json=body, headers=web(origin))

    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "auth.csrf"
    assert set_cookie(response) is None


async def test_switching_tenant_from_the_app_needs_the_origin_and_moves_the_cookie(
    harness: tuple[AsyncTestClient[Any], Application],
) -> None:
    client, _ = harness
    tokens = await sign_up(client, email="ada@example.com")
    tenant = {"tenant_id": tokens["tenant_id"]}

    refused = await client.post(
        "/api/v1/auth/switch-tenant",
        json=tenant,
        headers={**bearer(tokens), **web("https://evil.example")},
    )
    switched = await client.post(
        "/api/v1/auth/switch-tenant", json=tenant, headers={**bearer(tokens), **web()}
    )

    assert refused.status_code == 403
    assert refused.json()["code"] == "auth.csrf"
    assert switched.status_code == 200, switched.text
    assert switched.json()["refresh_token"] is None
    assert refresh_cookie_of(switched)


async def test_the_cookie_is_ignored_without_the_header(
    harness: tuple[AsyncTestClient[Any], Application],
) -> None:
    client, _ = harness
    await sign_up(client, email="ada@example.com")
    _, cookie = await _web_login(client)
    only_cookie = {"Cookie": f"{REFRESH_COOKIE}={cookie}", "Origin": "https://127.0.0.1:8443"}

    refused = await client.post("/api/v1/auth/refresh", json={}, headers=only_cookie)
    me = await client.get("/api/v1/me", headers=only_cookie)
    still_good = await client.post("/api/v1/auth/refresh", json={}, headers=web(cookie=cookie))

    assert refused.status_code == 400
    assert me.status_code == 401  # a cookie never authenticates anything but a web refresh
    assert still_good.status_code == 200  # and nothing consumed it


@pytest.mark.parametrize("path", ["logout", "logout-all"])
async def test_signing_out_from_the_app_clears_the_cookie(
    harness: tuple[AsyncTestClient[Any], Application], path: str
) -> None:
    client, _ = harness
    await sign_up(client, email="ada@example.com")
    tokens, cookie = await _web_login(client)

    response = await client.post(
        f"/api/v1/auth/{path}", json={}, headers={**bearer(tokens), **web()}
    )
    again = await client.post("/api/v1/auth/refresh", json={}, headers=web(cookie=cookie))

    assert response.status_code == 204
    assert set_cookie(response) == f"{REFRESH_COOKIE}=; {ATTRIBUTES}; Max-Age=0"
    assert again.status_code == 401
