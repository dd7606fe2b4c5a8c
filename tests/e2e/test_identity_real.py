"""The identity flow on the real adapters: PostgreSQL, bcrypt cost 12, EdDSA JWTs, the limiter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import jwt
import pytest
from litestar.testing import AsyncTestClient

from adapters.crypto.jwt_keyring import KeyringError
from adapters.postgres.throwaway import ThrowawayDatabase
from adapters.postgres.url import DatabaseUrl
from entrypoints.container import real_container
from entrypoints.database import DatabaseEndpoints
from entrypoints.http.app import create_app
from entrypoints.settings import load_settings
from tests.conftest import FreshDatabase
from tests.e2e.identity_http import PASSWORD, bearer, sign_up
from tests.factories.real_api import real_api

pytestmark = pytest.mark.e2e


# The real container starts the vault's keyring with the real KDF; the shared test database's
# key versions were made with the test factories' fast KDF, so real stacks get a fresh copy.


@pytest.fixture
async def client(
    fresh_database: FreshDatabase, tmp_path: Path
) -> AsyncIterator[AsyncTestClient[Any]]:
    async with real_api(fresh_database.app, tmp_path) as client:
        yield client


async def test_sign_up_sign_in_refresh_and_replay_on_the_real_stack(
    client: AsyncTestClient[Any],
) -> None:
    signed_up = await sign_up(client, email=f"real-{id(client)}@example.com")
    keys = (await client.get("/.well-known/jwks.json")).json()["keys"]
    me = await client.get("/api/v1/me", headers=bearer(signed_up))
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": signed_up["refresh_token"]}
    )
    again = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": refreshed.json()["refresh_token"]}
    )
    replayed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": signed_up["refresh_token"]}
    )
    after_replay = await client.get("/api/v1/me", headers=bearer(again.json()))

    header = jwt.get_unverified_header(signed_up["access_token"])
    public = jwt.PyJWK(keys[0]).key
    claims = jwt.decode(
        signed_up["access_token"], public, algorithms=["EdDSA"], audience="urn:atlas:api"
    )
    assert header["typ"] == "at+jwt"
    assert [k["kid"] for k in keys] == [header["kid"]]
    assert claims["tid"] == signed_up["tenant_id"]
    assert claims["exp"] - claims["iat"] <= 15 * 60
    assert me.json()["role"] == "owner"
    assert (refreshed.status_code, again.status_code, replayed.status_code) == (200, 200, 401)
    assert after_replay.status_code == 401  # the whole family went with the replay
    assert after_replay.json()["code"] == "auth.session_ended"


async def test_login_rehashes_to_argon2id_when_configured(
    fresh_database: FreshDatabase, tmp_path: Path
) -> None:
    email = f"rehash-{id(tmp_path)}@example.com"
    bcrypt_settings = load_settings({}, cwd=tmp_path)
    argon_settings = load_settings({"ATLAS_PASSWORD_SCHEME": "argon2id"}, cwd=tmp_path)
    endpoints = DatabaseEndpoints(app=fresh_database.app, owner=None)

    async with AsyncTestClient(create_app(real_container(bcrypt_settings, endpoints))) as first:
        await sign_up(first, email=email)
    async with AsyncTestClient(create_app(real_container(argon_settings, endpoints))) as second:
        upgraded = await second.post(
            "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        )
        again = await second.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    stored = await _stored_hash(fresh_database.superuser, email)

    assert (upgraded.status_code, again.status_code) == (200, 200)
    assert stored.startswith("$argon2id$v=19$")


async def _stored_hash(superuser: DatabaseUrl, email: str) -> str:
    conn = await asyncpg.connect(**superuser.asyncpg_kwargs())
    try:
        return str(
            await conn.fetchval(
                "SELECT c.password_hash FROM atlas.credentials c "
                "JOIN atlas.users u USING (user_id) WHERE u.email = $1",
                email,
            )
        )
    finally:
        await conn.close()


async def test_a_missing_keyring_stops_start_up(
    database: ThrowawayDatabase, tmp_path: Path
) -> None:
    settings = load_settings(
        {"ATLAS_JWT_KEYRING_FILE": str(tmp_path / "missing.json")}, cwd=tmp_path
    )
    app = create_app(real_container(settings, DatabaseEndpoints(app=database.app, owner=None)))

    with pytest.raises(BaseException) as failed:  # noqa: PT011 - the lifespan wraps it in a group
        async with AsyncTestClient(app):
            pass

    assert any(
        isinstance(error, KeyringError) and "cannot read the JWT keyring" in str(error)
        for error in _flatten(failed.value)
    )


def _flatten(error: BaseException) -> list[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in _flatten(inner)]
    return [error]
