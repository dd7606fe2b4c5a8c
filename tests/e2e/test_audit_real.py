"""The audit trail over HTTP on the real stack: owners and admins read it, members may not;
it pages, filters, keeps tenants apart, and its export verifies with an independent check."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from adapters.fakes.email import FakeEmailSender
from tests.e2e.identity_http import bearer, join, sign_up, sign_up_verified
from tests.factories.audit import verify_export
from tests.factories.team_stack import team

pytestmark = pytest.mark.e2e
__all__ = ["team"]  # the fixture


async def test_owners_and_admins_read_the_trail_members_may_not_and_tenants_stay_apart(
    team: tuple[AsyncTestClient[Any], FakeEmailSender],
) -> None:
    client, outbox = team
    owner = await sign_up_verified(client, outbox.sent)
    admin = await join(client, outbox.sent, owner, "admin", "ad@example.com")
    member = await join(client, outbox.sent, owner, "member", "me@example.com")
    stranger = await sign_up(client, organisation="Elsewhere")
    invited = await client.post(
        "/api/v1/tenants/current/invitations", json={"email": "x@example.com", "role": "member"},
        headers={**bearer(owner), "X-Request-Id": "case-42"},
    )  # fmt: skip
    refused = await client.post(
        "/api/v1/auth/login", json={"email": "me@example.com", "password": "not the password"},
        headers={"X-Request-Id": "spaces are not safe"},
    )  # fmt: skip

    as_owner = await client.get("/api/v1/audit", headers=bearer(owner))
    as_admin = await client.get("/api/v1/audit?limit=200", headers=bearer(admin))
    as_member = await client.get("/api/v1/audit", headers=bearer(member))
    as_stranger = await client.get("/api/v1/audit", headers=bearer(stranger))

    assert invited.headers["x-request-id"] == "case-42"
    assert refused.status_code == 401
    assert refused.headers["x-request-id"] != "spaces are not safe"
    assert (as_owner.status_code, as_admin.status_code) == (200, 200)
    assert as_member.status_code == 403
    assert as_member.json()["code"] == "auth.role_required"
    items = as_admin.json()["items"]
    assert [i["action"] for i in items] == [
        "auth.sign_in_failed", "invitation.created", "invitation.accepted", "invitation.created",
        "invitation.accepted", "invitation.created", "tenant.created",
    ]  # fmt: skip
    assert [i["seq"] for i in items] == [7, 6, 5, 4, 3, 2, 1]
    assert items[1]["request_id"] == "case-42"
    assert items[0]["request_id"] == refused.headers["x-request-id"]
    assert items[0]["outcome"] == "failure"
    assert items[1]["address"]  # the test client's address
    assert "x@example.com" not in as_admin.text
    # Another organisation's trail holds its own creation, nothing of this one's.
    assert [i["action"] for i in as_stranger.json()["items"]] == ["tenant.created"]
    assert owner["user_id"] not in as_stranger.text


async def test_the_trail_pages_and_filters_and_refuses_bad_input_with_stable_codes(
    team: tuple[AsyncTestClient[Any], FakeEmailSender],
) -> None:
    client, outbox = team
    owner = await sign_up_verified(client, outbox.sent)
    for n in range(3):
        await join(client, outbox.sent, owner, "member", f"p{n}@example.com")
    headers = bearer(owner)

    seen, cursor = [], None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(f"/api/v1/audit{query}", headers=headers)).json()
        seen += [i["seq"] for i in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    created = await client.get("/api/v1/audit?action=invitation.created", headers=headers)
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    none_yet = await client.get("/api/v1/audit", params={"since": future}, headers=headers)
    bad_cursor = await client.get("/api/v1/audit?cursor=not-a-cursor", headers=headers)
    bad_outcome = await client.get("/api/v1/audit?outcome=maybe", headers=headers)
    bad_time = await client.get("/api/v1/audit?since=yesterday", headers=headers)

    assert seen == [7, 6, 5, 4, 3, 2, 1]  # the sign-up's tenant.created first
    assert {i["action"] for i in created.json()["items"]} == {"invitation.created"}
    assert len(created.json()["items"]) == 3
    assert none_yet.json()["items"] == []
    assert (bad_cursor.status_code, bad_cursor.json()["code"]) == (422, "audit.invalid_cursor")
    assert (bad_outcome.status_code, bad_outcome.json()["code"]) == (422, "audit.invalid_filter")
    assert bad_time.status_code == 400


async def test_an_export_verifies_with_an_independent_implementation(
    team: tuple[AsyncTestClient[Any], FakeEmailSender],
) -> None:
    client, outbox = team
    owner = await sign_up_verified(client, outbox.sent)
    await join(client, outbox.sent, owner, "admin", "ad@example.com")
    await client.post("/api/v1/auth/login", json={"email": "ad@example.com", "password": "nope"})

    exported = await client.get("/api/v1/audit/export", headers=bearer(owner))

    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in exported.text.splitlines()]
    assert lines[0]["type"] == "head"
    assert "SHA-256" in lines[0]["encoding"]
    assert verify_export(lines) == 4  # created, invited, joined, a failed sign-in
