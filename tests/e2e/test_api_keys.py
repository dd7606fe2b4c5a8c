"""API keys in settings over HTTP: sealed on PUT, masked on GET, never read back, per tenant."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from litestar.testing import AsyncTestClient

from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.identity.model import Role
from domain.shared.ids import new_tenant_id, new_user_id
from entrypoints.container import Application
from tests.e2e.harness import bearer, build, harness_settings

pytestmark = pytest.mark.e2e

BASE = "/api/v1/settings/api-keys"


def _actor(role: Role = Role.ADMIN, tenant: Any = None) -> Actor:
    return Actor(
        tenant_id=tenant or new_tenant_id(), user_id=new_user_id(), role=role, session_id=uuid4()
    )


def _marker() -> str:
    return "sk-live-" + secrets.token_urlsafe(24)


@pytest.fixture
async def harness(tmp_path: Path) -> Any:
    app, container = build(harness_settings(tmp_path))
    async with AsyncTestClient(app) as client:
        yield client, container


async def test_a_stored_key_is_listed_masked_and_never_returned(harness: Any) -> None:
    client, container = harness
    admin, value = _actor(), _marker()
    headers = bearer(container, admin)

    stored = await client.put(
        f"{BASE}/openai", json={"value": value, "purpose": "Summaries"}, headers=headers
    )
    listed = await client.get(BASE, headers=headers)
    opened = await (await container.use_cases.open_api_key()).execute(admin.scope, "openai")

    assert stored.status_code == 200
    assert stored.json() == {
        "name": "openai",
        "purpose": "Summaries",
        "hint": "****" + value[-4:],
        "created_by": str(admin.user_id),
        "created_at": stored.json()["created_at"],
    }
    assert listed.json() == {"items": [stored.json()]}
    assert value not in stored.text + listed.text
    assert opened.reveal() == value  # sealed, not lost: the integration can still use it


async def test_putting_the_same_name_again_replaces_the_key(harness: Any) -> None:
    client, container = harness
    headers = bearer(container, _actor(Role.OWNER))
    first, second = _marker(), _marker()

    await client.put(f"{BASE}/hubspot", json={"value": first, "purpose": "v1"}, headers=headers)
    await client.put(f"{BASE}/hubspot", json={"value": second, "purpose": "v2"}, headers=headers)
    listed = (await client.get(BASE, headers=headers)).json()["items"]

    assert [(k["name"], k["purpose"], k["hint"]) for k in listed] == [
        ("hubspot", "v2", "****" + second[-4:])
    ]


async def test_another_tenants_keys_are_invisible_and_cannot_be_deleted(harness: Any) -> None:
    client, container = harness
    mine, theirs = bearer(container, _actor()), bearer(container, _actor())
    await client.put(f"{BASE}/stripe", json={"value": _marker(), "purpose": "p"}, headers=mine)

    their_list = await client.get(BASE, headers=theirs)
    their_delete = await client.delete(f"{BASE}/stripe", headers=theirs)
    my_list = await client.get(BASE, headers=mine)

    assert their_list.json() == {"items": []}
    assert their_delete.status_code == 404
    assert their_delete.json()["code"] == "vault.api_key_not_found"
    assert [k["name"] for k in my_list.json()["items"]] == ["stripe"]


async def test_delete_removes_the_key_and_a_second_delete_is_404(harness: Any) -> None:
    client, container = harness
    headers = bearer(container, _actor())
    await client.put(
        f"{BASE}/resend", json={"value": _marker(), "purpose": "mail"}, headers=headers
    )

    first = await client.delete(f"{BASE}/resend", headers=headers)
    second = await client.delete(f"{BASE}/resend", headers=headers)
    listed = await client.get(BASE, headers=headers)

    assert (first.status_code, second.status_code) == (204, 404)
    assert listed.json() == {"items": []}


async def test_members_may_not_read_store_or_delete_keys(harness: Any) -> None:
    client, container = harness
    headers = bearer(container, _actor(Role.MEMBER))

    responses = [
        await client.get(BASE, headers=headers),
        await client.put(f"{BASE}/x1", json={"value": _marker(), "purpose": "p"}, headers=headers),
        await client.delete(f"{BASE}/x1", headers=headers),
        await client.get(BASE),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403, 401]


@pytest.mark.parametrize(
    ("name", "body", "code"),
    [
        ("Bad Name", {"value": "sk-12345678", "purpose": "p"}, "vault.invalid_api_key_name"),
        ("ok", {"value": "short", "purpose": "p"}, "vault.invalid_api_key_value"),
        ("ok", {"value": "sk-1234567\n", "purpose": "p"}, "vault.invalid_api_key_value"),
        ("ok", {"value": "sk-12345678", "purpose": "  "}, "vault.invalid_api_key_purpose"),
    ],
)
async def test_bad_input_is_a_422_that_does_not_echo_the_value(
    harness: Any, name: str, body: dict[str, str], code: str
) -> None:
    client, container = harness

    response = await client.put(f"{BASE}/{name}", json=body, headers=bearer(container, _actor()))

    assert response.status_code == 422
    assert response.json()["code"] == code
    assert body["value"].strip() not in response.text


async def test_a_malformed_body_is_refused_without_echoing_it(harness: Any) -> None:
    client, container = harness
    value = _marker()

    response = await client.put(
        f"{BASE}/ok", json={"value": value, "extra": value}, headers=bearer(container, _actor())
    )

    assert response.status_code == 400
    assert value not in response.text


async def test_the_value_is_sealed_in_the_store(harness: Any) -> None:
    client, container = harness
    admin, value = _actor(), _marker()
    await client.put(
        f"{BASE}/a1", json={"value": value, "purpose": "p"}, headers=bearer(container, admin)
    )

    uow_for = await _resolve(container)
    async with uow_for(Scope(tenant_id=admin.tenant_id, user_id=None)) as uow:
        (stored,) = await uow.api_keys.all()

    assert value.encode() not in stored.sealed.envelope
    assert value not in repr(stored)


async def _resolve(container: Application) -> Any:
    return container.adapters().vault_uow()
