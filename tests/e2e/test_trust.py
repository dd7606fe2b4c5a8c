"""``/.well-known/security.txt`` and ``GET /api/v1/trust`` on the in-process harness: public,
built from the settings, cacheable, and with the same security headers as every response."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.http.security import SECURITY_HEADERS
from tests.e2e.harness import build, harness_settings
from tests.factories.settings import REGION_URLS

EXPIRES = "2027-03-01T12:00:00+01:00"
SETTINGS = {
    "ATLAS_REGION": "us-central1",
    "ATLAS_REGION_URLS": REGION_URLS,
    "ATLAS_PUBLIC_URL": "https://us.atlas.example",
    "ATLAS_APP_ORIGIN": "https://us.atlas.example",
    "ATLAS_SECURITY_CONTACT": "mailto:security@example.com, https://example.com/report",
    "ATLAS_SECURITY_POLICY_URL": "https://example.com/disclosure",
    "ATLAS_SECURITY_LANGUAGES": "en, nl",
}


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[AsyncTestClient[Any]]:
    expires = {"ATLAS_SECURITY_TXT_EXPIRES": EXPIRES}
    app, _ = build(harness_settings(tmp_path, **SETTINGS, **expires))
    async with AsyncTestClient(app) as client:
        yield client


async def test_security_txt_carries_the_rfc_9116_fields_from_the_settings(
    client: AsyncTestClient[Any],
) -> None:
    response = await client.get("/.well-known/security.txt")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text.splitlines() == [
        "Contact: mailto:security@example.com",
        "Contact: https://example.com/report",
        "Expires: 2027-03-01T11:00:00Z",
        "Preferred-Languages: en, nl",
        "Canonical: https://us.atlas.example/.well-known/security.txt",
        "Policy: https://example.com/disclosure",
    ]


async def test_the_public_pages_carry_the_security_headers_and_may_be_cached(
    client: AsyncTestClient[Any],
) -> None:
    for path in ("/.well-known/security.txt", "/api/v1/trust"):
        response = await client.get(path)

        assert response.status_code == 200, path
        for name, value in SECURITY_HEADERS.items():
            if name != "cache-control":
                assert response.headers[name] == value, (path, name)
        assert response.headers["cache-control"] == "public, max-age=3600"


async def test_the_trust_page_needs_no_sign_in_and_states_region_and_subprocessors(
    client: AsyncTestClient[Any],
) -> None:
    body = (await client.get("/api/v1/trust")).json()

    assert body["region"] == "us-central1"
    assert body["region_urls"] == {
        "europe-west4": "https://eu.atlas.example",
        "us-central1": "https://us.atlas.example",
    }
    assert body["encryption"]["vault"]["algorithm"] == "AES-256-GCM"
    assert body["encryption"]["vault"]["kdf"] == "PBKDF2-SHA256"
    assert body["encryption"]["tls"] == {
        "minimum_version": "TLSv1.2",
        "database_tls": "embedded (local socket)",
    }
    assert body["encryption"]["tokens"] == {
        "jwt_algorithm": "EdDSA",
        "access_token_lifetime_seconds": 600,
    }
    hosting = body["subprocessors"][0]
    assert hosting["location"].startswith("us-central1")
    assert body["security_txt"] == "https://us.atlas.example/.well-known/security.txt"


async def test_the_trust_page_is_in_the_api_schema_and_security_txt_is_not(
    client: AsyncTestClient[Any],
) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]

    assert "/api/v1/trust" in paths
    assert "security" not in paths["/api/v1/trust"]["get"]
    assert "/.well-known/security.txt" not in paths


async def test_the_access_token_lifetime_on_the_trust_page_follows_the_setting(
    tmp_path: Path,
) -> None:
    app, _ = build(harness_settings(tmp_path, ATLAS_ACCESS_TOKEN_SECONDS="300"))
    async with AsyncTestClient(app) as client:
        body = (await client.get("/api/v1/trust")).json()

    assert body["encryption"]["tokens"]["access_token_lifetime_seconds"] == 300
