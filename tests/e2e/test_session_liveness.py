"""An access token stops working everywhere the moment its session ends, not when it expires."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.harness import build, harness_settings
from tests.e2e.identity_http import PASSWORD, bearer, sign_up

pytestmark = pytest.mark.e2e

KEYS = "/api/v1/settings/api-keys/stripe"
EXPORT = "/api/v1/graph/export.ocel.json"


@pytest.fixture
async def client(tmp_path: Path) -> Any:
    app, _ = build(harness_settings(tmp_path))
    async with AsyncTestClient(app) as client:
        yield client


async def _works(client: AsyncTestClient[Any], headers: dict[str, str]) -> list[int]:
    body = {"value": "sk_live_" + "x" * 24, "purpose": "Billing"}
    stored = await client.put(KEYS, json=body, headers=headers)
    exported = await client.get(EXPORT, headers=headers)
    return [stored.status_code, exported.status_code]


async def test_logout_ends_the_access_token_on_every_endpoint(client: AsyncTestClient[Any]) -> None:
    tokens = await sign_up(client)
    headers = bearer(tokens)

    before = await _works(client, headers)
    logged_out = await client.post("/api/v1/auth/logout", headers=headers)
    again = await client.post("/api/v1/auth/logout", headers=headers)
    after = await _works(client, headers)

    assert before == [200, 200]
    assert (logged_out.status_code, again.status_code) == (204, 204)  # logout is idempotent
    assert after == [401, 401]


async def test_a_password_change_ends_the_other_sessions_tokens(
    client: AsyncTestClient[Any],
) -> None:
    first = await sign_up(client)
    email = (await client.get("/api/v1/me", headers=bearer(first))).json()["user"]["email"]
    second = (
        await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    ).json()

    changed = await client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": PASSWORD + " renewed"},
        headers=bearer(second),
    )

    assert changed.status_code == 204, changed.text
    assert await _works(client, bearer(first)) == [401, 401]
    assert await _works(client, bearer(second)) == [200, 200]
