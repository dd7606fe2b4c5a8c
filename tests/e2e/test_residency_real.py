"""Residency on the real stack (PostgreSQL, EdDSA JWTs, the limiter): a tenant of another region
is refused at sign-up, at sign-in and at every API call, naming its region's URL, and the
refusal writes nothing (every table's rows compared before and after, as the superuser)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import jwt
import pytest
from litestar.testing import AsyncTestClient

from adapters.clock import SystemClock
from adapters.crypto.jwt_keyring import KeyringFile
from adapters.crypto.jwt_tokens import JwtAccessTokens
from adapters.postgres.url import DatabaseUrl
from application.shared.actor import Actor
from domain.identity.model import Role
from domain.identity.residency import Residency
from domain.shared.ids import TenantId, UserId
from tests.conftest import FreshDatabase
from tests.e2e.identity_http import PASSWORD, bearer, sign_up
from tests.factories.real_api import real_api
from tests.factories.settings import REGION_URLS
from tests.factories.table_digests import changed, table_digests

pytestmark = pytest.mark.e2e

EU = {"ATLAS_REGION": "europe-west4", "ATLAS_REGION_URLS": REGION_URLS}
US_URL = "https://us.atlas.example"
# Sign-in attempts are counted per address and per account before Atlas can know the tenant
# (R2.5); those counters name no tenant, and are the only rows a sign-in refusal may touch.
RATE_LIMITS = {"atlas.rate_limits"}


@pytest.fixture
async def client(
    fresh_database: FreshDatabase, tmp_path: Path
) -> AsyncIterator[AsyncTestClient[Any]]:
    async with real_api(fresh_database.app, tmp_path, EU) as client:
        yield client


def _refused_for_us(response: Any) -> None:
    body = response.json()
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert (body["code"], body["region"], body["region_url"]) == (
        "tenancy.wrong_region",
        "us-central1",
        US_URL,
    )


async def test_a_sign_up_for_another_region_is_refused_and_writes_nothing(
    client: AsyncTestClient[Any], fresh_database: FreshDatabase
) -> None:
    email = f"us-{uuid4().hex[:8]}@example.com"
    form = {"email": email, "password": PASSWORD, "name": "Ada", "organisation": "Acme US"}
    before = await table_digests(fresh_database.superuser)

    refused = await client.post("/api/v1/auth/signup", json={**form, "region": "us-central1"})
    after_refusal = await table_digests(fresh_database.superuser)
    accepted = await client.post("/api/v1/auth/signup", json={**form, "region": "europe-west4"})
    after_sign_up = await table_digests(fresh_database.superuser)

    _refused_for_us(refused)
    assert changed(before, after_refusal) == set()
    # The same sign-up in this region writes: the digests do see writes.
    assert accepted.status_code == 201
    assert {"atlas.tenants", "atlas.users", "atlas.memberships"} <= changed(
        after_refusal, after_sign_up
    )


async def test_signing_in_to_a_tenant_recorded_in_another_region_is_refused_and_writes_nothing(
    client: AsyncTestClient[Any], fresh_database: FreshDatabase
) -> None:
    email = f"moved-{uuid4().hex[:8]}@example.com"
    tokens = await sign_up(client, email=email)
    # As a restored dump or a region set by hand would present it.
    await _set_region(fresh_database.superuser, tokens["tenant_id"], "us-central1")
    credentials = {"email": email, "password": PASSWORD}
    before = await table_digests(fresh_database.superuser)

    first = await client.post("/api/v1/auth/login", json=credentials)
    chosen = await client.post(
        "/api/v1/auth/login", json={**credentials, "tenant_id": tokens["tenant_id"]}
    )
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    after = await table_digests(fresh_database.superuser)

    for response in (first, chosen, refreshed):
        _refused_for_us(response)
    assert changed(before, after) <= RATE_LIMITS


async def test_a_token_minted_by_the_other_regions_deployment_is_refused_and_writes_nothing(
    client: AsyncTestClient[Any], fresh_database: FreshDatabase, tmp_path: Path
) -> None:
    tokens = await sign_up(client, email=f"token-{uuid4().hex[:8]}@example.com")
    foreign = {"Authorization": f"Bearer {_minted_in_us(tokens, tmp_path)}"}
    before = await table_digests(fresh_database.superuser)

    me = await client.get("/api/v1/me", headers=foreign)
    logout = await client.post("/api/v1/auth/logout", headers=foreign)
    switch = await client.post(
        "/api/v1/auth/switch-tenant", json={"tenant_id": tokens["tenant_id"]}, headers=foreign
    )
    after = await table_digests(fresh_database.superuser)
    own = await client.get("/api/v1/me", headers=bearer(tokens))

    for response in (me, logout, switch):
        _refused_for_us(response)
    assert changed(before, after) == set()
    assert own.status_code == 200  # this region's token for the same session still works


def _minted_in_us(tokens: dict[str, Any], data_dir: Path) -> str:
    """An access token for the same session, signed with the same keyring (the worst case: a
    shared signing key) by a deployment serving us-central1."""
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    actor = Actor(
        tenant_id=TenantId(UUID(claims["tid"])),
        user_id=UserId(UUID(claims["sub"])),
        role=Role(claims["role"]),
        session_id=UUID(claims["sid"]),
    )
    issuer = JwtAccessTokens(
        KeyringFile(data_dir / ".atlas" / "secrets" / "jwt-keyring.json", "EdDSA"),
        issuer="urn:atlas",
        audience="urn:atlas:api",
        lifetime=timedelta(minutes=10),
        leeway=timedelta(seconds=5),
        clock=SystemClock(),
        residency=Residency(region="us-central1"),
    )
    return issuer.mint(actor).token.reveal()


async def _set_region(superuser: DatabaseUrl, tenant_id: str, region: str) -> None:
    conn = await asyncpg.connect(**superuser.asyncpg_kwargs())
    try:
        await conn.execute(
            "UPDATE atlas.tenants SET region = $2 WHERE tenant_id = $1", UUID(tenant_id), region
        )
    finally:
        await conn.close()
