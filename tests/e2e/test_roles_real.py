"""What each role may do, on the real stack: a viewer reads the graph and connects nothing; the
whole tenant's graph leaves Atlas only in an owner's or an admin's hands."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from adapters.fakes.email import FakeEmailSender
from entrypoints.container import real_container
from entrypoints.database import DatabaseEndpoints
from entrypoints.http.app import create_app
from entrypoints.settings import load_settings
from tests.conftest import FreshDatabase
from tests.e2e.identity_http import bearer, join, sign_up_verified

pytestmark = pytest.mark.e2e

ROLES = ("owner", "admin", "member", "viewer")


@pytest.fixture
async def stack(
    fresh_database: FreshDatabase, tmp_path: Path
) -> AsyncIterator[tuple[AsyncTestClient[Any], FakeEmailSender]]:
    settings = load_settings({"ATLAS_PASSWORD_HASH_CONCURRENCY": "2"}, cwd=tmp_path)
    container = real_container(settings, DatabaseEndpoints(app=fresh_database.app, owner=None))
    outbox = FakeEmailSender()
    container.adapters.email.override(providers.Object(outbox))
    async with AsyncTestClient(create_app(container)) as client:
        yield client, outbox


async def test_each_role_reads_connects_and_exports_as_its_rights_say(
    stack: tuple[AsyncTestClient[Any], FakeEmailSender],
) -> None:
    client, outbox = stack
    owner = await sign_up_verified(client, outbox.sent)
    people = {"owner": bearer(owner)}
    for role in ROLES[1:]:
        people[role] = bearer(await join(client, outbox.sent, owner, role, f"{role}@example.com"))

    answers: dict[str, dict[str, int]] = {}
    codes: dict[str, set[str]] = {}
    for role, headers in people.items():
        asked = {
            "read entities": await client.get("/api/v1/graph/entities", headers=headers),
            "read map": await client.get(
                "/api/v1/graph/process-map?object_type=deal", headers=headers
            ),
            "list connections": await client.get("/api/v1/connections", headers=headers),
            "connect": await client.post(
                "/api/v1/connections", json={"provider": "hubspot"}, headers=headers
            ),
            "export": await client.get("/api/v1/graph/export.ocel.json", headers=headers),
        }
        answers[role] = {what: answer.status_code for what, answer in asked.items()}
        codes[role] = {a.json()["code"] for a in asked.values() if a.status_code == 403}

    everything = {"read entities": 200, "read map": 200, "list connections": 200}
    assert answers == {
        "owner": everything | {"connect": 201, "export": 200},
        "admin": everything | {"connect": 201, "export": 200},
        "member": everything | {"connect": 201, "export": 403},
        "viewer": everything | {"connect": 403, "export": 403},
    }
    assert codes == {
        "owner": set(),
        "admin": set(),
        "member": {"auth.role_required"},
        "viewer": {"auth.role_required"},
    }
