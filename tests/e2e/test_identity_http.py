"""The identity endpoints over HTTP on the in-process harness."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.container import Application
from tests.e2e.harness import build, harness_settings
from tests.e2e.identity_http import PASSWORD, bearer, sign_up, sign_up_verified


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[tuple[AsyncTestClient[Any], Application]]:
    app, container = build(harness_settings(tmp_path))
    async with AsyncTestClient(app) as client:
        yield client, container


async def _login(client: AsyncTestClient[Any], email: str, password: str, **extra: str):  # type: ignore[no-untyped-def]
    return await client.post(
        "/api/v1/auth/login", json={"email": email, "password": password, **extra}
    )


@pytest.mark.parametrize(
    ("password", "status"),
    [("a" * 72, 201), ("a" * 73, 422), ("é" * 37, 422), ("x" * 10_000, 422), ("", 422)],
    ids=["72-bytes", "73-bytes", "37-é", "10000-characters", "empty"],
)
async def test_sign_up_counts_password_bytes_and_never_fails_with_500(
    harness: tuple[AsyncTestClient[Any], Application], password: str, status: int
) -> None:
    client, _ = harness

    response = await client.post(
        "/api/v1/auth/signup",
        json={"email": "ada@example.com", "password": password, "name": "A", "organisation": "B"},
    )

    assert response.status_code == status, response.text
    if status == 422:
        assert response.json()["code"] in {
            "identity.password_too_long",
            "identity.password_too_short",
        }


async def test_failed_sign_ins_are_byte_identical_and_each_runs_a_check(
    harness: tuple[AsyncTestClient[Any], Application], caplog: pytest.LogCaptureFixture
) -> None:
    client, container = harness
    await sign_up(client, email="ada@example.com")
    hasher = container.adapters().password_hasher()
    before = len(hasher.verifications)

    with caplog.at_level(logging.WARNING):
        wrong = await _login(client, "ada@example.com", "not the password")
        long = await _login(client, "ada@example.com", "a" * 73)
        unknown = await _login(client, "nobody@example.com", PASSWORD)

    assert wrong.status_code == long.status_code == unknown.status_code == 401
    assert wrong.content == long.content == unknown.content
    assert len(hasher.verifications) - before == 3
    assert hasher.verifications[-1] == "fake$dummy"
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_spoofed_forwarded_for_does_not_reset_the_address_limit(
    harness: tuple[AsyncTestClient[Any], Application],
) -> None:
    client, _ = harness

    answers = [
        (
            await client.post(
                "/api/v1/auth/login",
                json={"email": f"v{n}@example.com", "password": "x"},
                headers={"X-Forwarded-For": f"192.0.2.{n}"},
            )
        ).status_code
        for n in range(21)
    ]

    assert answers == [401] * 20 + [429]


async def test_an_access_token_of_the_tenant_left_behind_stops_working(
    harness: tuple[AsyncTestClient[Any], Application],
) -> None:
    client, container = harness
    owner_b = await sign_up_verified(
        client, container.adapters().email().sent, organisation="Tenant B"
    )
    ada = await sign_up(client, email="ada@example.com", organisation="Tenant A")
    await client.post(
        "/api/v1/tenants/current/invitations",
        json={"email": "ada@example.com", "role": "member"},
        headers=bearer(owner_b),
    )
    token = container.adapters().email().sent[-1].text.split("#token=")[1].split()[0]
    await client.post(
        "/api/v1/auth/invitations/accept", json={"token": token, "password": PASSWORD}
    )

    switched = await client.post(
        "/api/v1/auth/switch-tenant", json={"tenant_id": owner_b["tenant_id"]}, headers=bearer(ada)
    )
    old = await client.get("/api/v1/tenants/current", headers=bearer(ada))
    new = await client.get("/api/v1/tenants/current", headers=bearer(switched.json()))
    refresh_old = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": ada["refresh_token"]}
    )

    assert switched.status_code == 200
    assert switched.json()["tenant_id"] == owner_b["tenant_id"]
    assert old.status_code == 401
    assert old.json()["code"] == "auth.session_ended"
    assert new.json()["name"] == "Tenant B"
    assert refresh_old.status_code == 401


async def test_refresh_logout_and_password_change_over_http(
    harness: tuple[AsyncTestClient[Any], Application],
) -> None:
    client, _ = harness
    first = await sign_up(client, email="ada@example.com")
    second = (await _login(client, "ada@example.com", PASSWORD)).json()

    rotated = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    changed = await client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "another long passphrase"},
        headers=bearer(rotated.json()),
    )
    other = await client.get("/api/v1/me", headers=bearer(second))
    mine = await client.get("/api/v1/me", headers=bearer(rotated.json()))
    logged_out = await client.post("/api/v1/auth/logout", headers=bearer(rotated.json()))
    after = await client.get("/api/v1/me", headers=bearer(rotated.json()))

    assert rotated.status_code == 200
    assert changed.status_code == 204
    assert other.status_code == 401
    assert mine.json()["user"]["email"] == "ada@example.com"
    assert logged_out.status_code == 204
    assert after.status_code == 401


async def test_a_member_cannot_manage_members(
    harness: tuple[AsyncTestClient[Any], Application],
) -> None:
    client, container = harness
    owner = await sign_up_verified(client, container.adapters().email().sent)
    await client.post(
        "/api/v1/tenants/current/invitations",
        json={"email": "bo@example.com", "role": "member"},
        headers=bearer(owner),
    )
    token = container.adapters().email().sent[-1].text.split("#token=")[1].split()[0]
    member = (
        await client.post(
            "/api/v1/auth/invitations/accept",
            json={"token": token, "password": PASSWORD, "name": "Bo"},
        )
    ).json()

    listed = await client.get("/api/v1/tenants/current/members", headers=bearer(member))
    refused = await client.delete(
        f"/api/v1/tenants/current/members/{owner['user_id']}", headers=bearer(member)
    )

    assert {m["role"] for m in listed.json()} == {"owner", "member"}
    assert refused.status_code == 403
    assert refused.json()["code"] == "auth.role_required"


async def test_jwks_is_empty_on_the_harness_and_unauthenticated(
    harness: tuple[AsyncTestClient[Any], Application],
) -> None:
    client, _ = harness

    response = await client.get("/.well-known/jwks.json")

    assert response.status_code == 200
    assert response.json() == {"keys": []}
