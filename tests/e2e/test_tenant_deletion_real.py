"""Deleting a tenant over HTTP on the real stack (PostgreSQL, the sandbox mounted): only an owner
who re-authenticates and types the name back; then the tenant is read-only (writes get
``tenant.pending_deletion``, reads and sign-in work) until restored, or purged after its grace
with every grant given back at the provider."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from adapters.fakes.email import FakeEmailSender
from domain.compliance.tenant_deletion import PurgeReport
from domain.shared.ids import TenantId
from entrypoints.container import Application, real_container
from entrypoints.database import DatabaseEndpoints
from entrypoints.http.app import create_app
from entrypoints.http.di import resolve
from entrypoints.settings import load_settings
from tests.conftest import FreshDatabase
from tests.e2e.connect_flow import BASE, sandbox_stats
from tests.e2e.identity_http import PASSWORD, bearer, join, sign_up_verified
from tests.e2e.sync_flow import Client, connected
from tests.factories.tenant_deletion import age_request, owner_may_connect, tenant_rows

pytestmark = pytest.mark.e2e

TENANT = "/api/v1/tenants/current"
KEYS = "/api/v1/settings/api-keys"
Stack = tuple[Client, FakeEmailSender, Application]


@pytest.fixture
async def stack(fresh_database: FreshDatabase, tmp_path: Path) -> AsyncIterator[Stack]:
    settings = load_settings({"ATLAS_PASSWORD_HASH_CONCURRENCY": "2"}, cwd=tmp_path)
    container = real_container(settings, DatabaseEndpoints(app=fresh_database.app, owner=None))
    outbox = FakeEmailSender()
    container.adapters.email.override(providers.Object(outbox))
    async with AsyncTestClient(create_app(container), base_url=BASE) as client:
        yield client, outbox, container


async def _purge_due(client: Client, container: Application) -> list[PurgeReport]:
    """The purge job, run where the app's adapters live (the test client's portal thread)."""

    async def purge() -> list[PurgeReport]:
        use_case = await resolve(container.use_cases.tenant_deletion.purge_tenants)  # type: ignore[attr-defined]
        reports: list[PurgeReport] = await use_case.execute()
        return reports

    return await asyncio.to_thread(client.blocking_portal.call, purge)


def _code(answer: Any) -> tuple[int, str]:
    return answer.status_code, answer.json().get("code")


async def _delete(client: Client, headers: dict[str, str], **body: str) -> Any:
    return await client.request("DELETE", TENANT, json=body, headers=headers)


async def test_only_a_re_authenticated_owner_who_types_the_name_deletes_the_tenant(
    stack: Stack,
) -> None:
    client, outbox, _ = stack
    name = f"Deletion Co {uuid4().hex[:6]}"
    owner = await sign_up_verified(client, outbox.sent, organisation=name)
    member = await join(client, outbox.sent, owner, "admin", f"admin-{uuid4().hex[:6]}@example.com")

    by_admin = await _delete(client, bearer(member), password=PASSWORD, confirm_name=name)
    wrong_password = await _delete(
        client, bearer(owner), password="not it at all", confirm_name=name
    )
    wrong_name = await _delete(client, bearer(owner), password=PASSWORD, confirm_name="Acme")
    still = await client.put(
        f"{KEYS}/openai",
        json={"value": "sk-test-12345678", "purpose": "Tests"},
        headers=bearer(owner),
    )

    assert _code(by_admin) == (403, "auth.role_required")
    assert _code(wrong_password) == (403, "auth.reauthentication_failed")
    assert _code(wrong_name) == (422, "tenant.confirmation_mismatch")
    assert still.status_code == 200, still.text  # none of them changed anything


async def test_a_pending_tenant_is_read_only_until_an_owner_restores_it(stack: Stack) -> None:
    client, outbox, _ = stack
    name = f"Deletion Co {uuid4().hex[:6]}"
    email = f"owner-{uuid4().hex[:8]}@example.com"
    owner = await sign_up_verified(client, outbox.sent, email, organisation=name)
    member = await join(client, outbox.sent, owner, "member", f"m-{uuid4().hex[:6]}@example.com")
    headers = bearer(owner)

    deleted = await _delete(client, headers, password=PASSWORD, confirm_name=f"  {name} ")
    key = await client.put(
        f"{KEYS}/openai", json={"value": "sk-test-12345678", "purpose": "Tests"}, headers=headers
    )
    connect = await client.post(
        "/api/v1/connections", json={"provider": "hubspot"}, headers=headers
    )
    invite = await client.post(
        f"{TENANT}/invitations", json={"email": "x@example.com", "role": "member"}, headers=headers
    )
    again = await _delete(client, headers, password=PASSWORD, confirm_name=name)
    me = await client.get("/api/v1/me", headers=bearer(member))
    members = await client.get(f"{TENANT}/members", headers=bearer(member))
    signed_in = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    restored_by_member = await client.post(
        f"{TENANT}/restore", json={"password": PASSWORD}, headers=bearer(member)
    )
    restored = await client.post(
        f"{TENANT}/restore", json={"password": PASSWORD}, headers=bearer(signed_in.json())
    )
    key_after = await client.put(
        f"{KEYS}/openai", json={"value": "sk-test-12345678", "purpose": "Tests"}, headers=headers
    )
    current = await client.get(TENANT, headers=headers)

    assert deleted.status_code == 202, deleted.text
    purge_after = deleted.json()["purge_after"]
    assert deleted.json() == {"status": "pending_deletion", "purge_after": purge_after}
    for refused in (key, connect, invite, again):
        assert _code(refused) == (409, "tenant.pending_deletion"), refused.text
        assert refused.json()["purge_after"] == purge_after
        assert purge_after[:10] in refused.json()["detail"]
    assert me.status_code == 200
    assert me.json()["tenant"]["status"] == "pending_deletion"
    assert me.json()["tenant"]["purge_after"] == purge_after
    assert members.status_code == 200
    assert len(members.json()) == 2
    assert signed_in.status_code == 200, signed_in.text
    assert _code(restored_by_member) == (403, "auth.role_required")
    assert restored.status_code == 200, restored.text
    assert restored.json() == {"status": "active", "purge_after": None}
    assert key_after.status_code == 200, key_after.text
    assert current.json()["status"] == "active"


async def test_the_purge_gives_every_grant_back_and_leaves_nothing_of_the_tenant(
    stack: Stack, fresh_database: FreshDatabase
) -> None:
    client, outbox, container = stack
    await owner_may_connect(fresh_database)
    name = f"Deletion Co {uuid4().hex[:6]}"
    email = f"owner-{uuid4().hex[:8]}@example.com"
    owner = await sign_up_verified(client, outbox.sent, email, organisation=name)
    headers = bearer(owner)
    await connected(client, headers, "hubspot")
    tenant = TenantId(UUID((await client.get(TENANT, headers=headers)).json()["id"]))
    revoked_before = (await sandbox_stats(client, "hubspot")).get("tokens_revoked", 0)
    deleted = await _delete(client, headers, password=PASSWORD, confirm_name=name)

    in_grace = await _purge_due(client, container)
    await age_request(fresh_database.owner, tenant, days=31)
    purged = await _purge_due(client, container)

    revoked = (await sandbox_stats(client, "hubspot")).get("tokens_revoked", 0) - revoked_before
    signed_in = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert deleted.status_code == 202, deleted.text
    assert in_grace == []  # the grace had not passed: nothing happened
    assert [r.tenant_id for r in purged] == [tenant]
    assert purged[0].revocations == {"hubspot:revoked": 1}
    assert revoked == 1
    assert await tenant_rows(fresh_database, tenant) == {}
    assert _code(signed_in) == (403, "auth.no_membership")
