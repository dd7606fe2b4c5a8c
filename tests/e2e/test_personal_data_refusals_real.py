"""Erasure refusals on the real stack: a tenant's only owner, and a wrong password. Neither
writes anything: the account, its membership, its session and the suppression list stay."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from adapters.fakes.email import FakeEmailSender
from adapters.postgres.throwaway import ThrowawayDatabase
from tests.conftest import FreshDatabase
from tests.e2e.identity_http import PASSWORD, bearer, join, sign_up_verified
from tests.e2e.sync_flow import Client
from tests.factories.erasure import as_superuser
from tests.factories.team_stack import team

pytestmark = pytest.mark.e2e

__all__ = ["team"]  # the fixture

STATE = """SELECT (SELECT count(*) FROM atlas.users WHERE user_id = $1) AS users,
    (SELECT count(*) FROM atlas.memberships WHERE user_id = $1) AS memberships,
    (SELECT count(*) FROM atlas.refresh_families WHERE user_id = $1 AND revoked_at IS NULL)
        AS sessions,
    (SELECT count(*) FROM atlas.erasures) AS erasures"""


async def _erase(client: Client, tokens: dict[str, Any], password: str) -> Any:
    return await client.request(
        "DELETE", "/api/v1/me", json={"password": password}, headers=bearer(tokens)
    )


async def _state(database: ThrowawayDatabase, fresh: FreshDatabase, user_id: str) -> dict[str, int]:
    conn = await as_superuser(database, fresh.app.database)
    try:
        return dict(await conn.fetchrow(STATE, UUID(user_id)))
    finally:
        await conn.close()


async def test_the_only_owner_of_a_tenant_is_refused_and_keeps_everything(
    team: tuple[Client, FakeEmailSender], database: ThrowawayDatabase, fresh_database: FreshDatabase
) -> None:
    client, outbox = team
    owner = await sign_up_verified(client, outbox.sent)
    await join(client, outbox.sent, owner, "admin", "colleague@example.com")
    user_id = (await client.get("/api/v1/me", headers=bearer(owner))).json()["user"]["id"]
    before = await _state(database, fresh_database, user_id)

    refused = await _erase(client, owner, PASSWORD)
    after = await _state(database, fresh_database, user_id)
    still = await client.get("/api/v1/me", headers=bearer(owner))

    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "compliance.last_owner"
    assert after == before == {"users": 1, "memberships": 1, "sessions": 1, "erasures": 0}
    assert still.status_code == 200


async def test_a_wrong_password_is_refused_and_writes_nothing(
    team: tuple[Client, FakeEmailSender], database: ThrowawayDatabase, fresh_database: FreshDatabase
) -> None:
    client, outbox = team
    owner = await sign_up_verified(client, outbox.sent)
    person = await join(client, outbox.sent, owner, "member", "careful@example.com")
    before = await _state(database, fresh_database, person["user_id"])

    refused = await _erase(client, person, "not the password at all")
    after = await _state(database, fresh_database, person["user_id"])
    still = await client.get("/api/v1/me", headers=bearer(person))

    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "auth.reauthentication_failed"
    assert after == before == {"users": 1, "memberships": 1, "sessions": 1, "erasures": 0}
    assert still.status_code == 200
