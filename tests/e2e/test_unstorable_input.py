"""Input Atlas cannot decode or store is a 400 problem, never a 500 (attack findings, item 4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.http.requests import unstorable
from tests.e2e.harness import build, harness_settings

pytestmark = pytest.mark.e2e

JSON = {"content-type": "application/json"}


def _nested(depth: int) -> bytes:
    return b'{"email":' + b"[" * depth + b"]" * depth + b',"password":"x"}'


BODIES = {
    "invalid UTF-8": b'{"email":"a\xff@example.com","password":"x"}',
    "nested 1,000 deep": _nested(1_000),
    "nested 100,000 deep": _nested(100_000),
    "NUL in a value": b'{"email":"a\\u0000@example.com","password":"x"}',
    "lone surrogate in a value": b'{"email":"a\\ud800x@example.com","password":"x"}',
    "NUL in a key": b'{"email":"a@example.com","password":"x","\\u0000":1}',
}

URLS = {
    "NUL in a path parameter": "/api/v1/oauth/callback/goo%00gle?code=a&state=b",
    "NUL in the query": "/api/v1/integrations?q=%00",
    "an encoded surrogate in the query": "/api/v1/integrations?q=%ED%A0%80x",
}


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
async def test_a_body_atlas_cannot_decode_or_store_is_a_400(tmp_path: Path, body: bytes) -> None:
    app, _ = build(harness_settings(tmp_path))

    async with AsyncTestClient(app) as client:
        response = await client.post("/api/v1/auth/login", content=body, headers=JSON)

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "request.invalid"


@pytest.mark.parametrize("url", URLS.values(), ids=URLS.keys())
async def test_a_url_holding_nul_or_a_surrogate_is_a_400(tmp_path: Path, url: str) -> None:
    app, _ = build(harness_settings(tmp_path))

    async with AsyncTestClient(app) as client:
        client.cookies.set("__Host-atlas_oauth", "a-binding-cookie")
        response = await client.get(url)

    assert response.status_code == 400
    assert response.json()["code"] == "request.invalid"
    assert response.headers["x-request-id"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_strings_are_checked_at_any_depth_without_recursion() -> None:
    deep: object = "\x00"
    for _ in range(100_000):
        deep = [deep]

    assert unstorable(deep)
    assert unstorable({"k": {"\ud800": 1}})
    assert not unstorable({"email": "zoë@example.com", "n": [1, 2.5, None, True]})
