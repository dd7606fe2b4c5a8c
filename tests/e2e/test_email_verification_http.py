"""Email verification over HTTP, on both tiers: until a new account follows its link it may not
invite or connect (403 identity.email_unverified) but reads as before; the link from the
outbox verifies once; used and forged links are refused; resending works and is limited; an
invited account is verified; the personal export tells the state."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e import harness
from tests.e2e.connect_flow import connect_with
from tests.e2e.identity_http import (
    bearer,
    join,
    sign_up,
    verification_token,
    verify_email,
)
from tests.e2e.tiers import Stack, stack, tier

pytestmark = pytest.mark.e2e

__all__ = ["stack", "tier"]  # the fixtures

PROBLEM = "application/problem+json"


async def _me(client: AsyncTestClient[Any], tokens: dict[str, Any]) -> dict[str, Any]:
    answer = await client.get("/api/v1/me", headers=bearer(tokens))
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def _account(client: AsyncTestClient[Any], tokens: dict[str, Any]) -> dict[str, Any]:
    answer = await client.get("/api/v1/me/export", headers=bearer(tokens))
    assert answer.status_code == 200, answer.text
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    account: list[dict[str, Any]] = json.loads(archive.read("account.json"))
    return account[0]


async def test_an_unverified_owner_reads_but_cannot_invite_or_connect_until_the_link(
    stack: Stack,
) -> None:
    client, sent = stack.client, stack.outbox.sent
    owner = await sign_up(client)
    headers = bearer(owner)

    invited = await client.post(
        "/api/v1/tenants/current/invitations",
        json={"email": f"bo-{uuid4().hex[:8]}@example.com", "role": "member"},
        headers=headers,
    )
    connecting = await client.post(
        "/api/v1/connections", json={"provider": "hubspot"}, headers=headers
    )
    reconnecting = await client.post(f"/api/v1/connections/{uuid4()}/reconnect", headers=headers)
    reads = [
        await client.get(path, headers=headers)
        for path in (
            "/api/v1/connections",
            "/api/v1/graph/entities",
            "/api/v1/graph/process-map?object_type=deal",
            "/api/v1/tenants/current/members",
        )
    ]
    before = await _me(client, owner)

    for refused in (invited, connecting, reconnecting):
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"].startswith(PROBLEM)
        assert refused.json()["code"] == "identity.email_unverified"
        assert "Verify your email" in refused.json()["title"]
    assert [r.status_code for r in reads] == [200] * len(reads)
    assert before["user"]["email_verified"] is False
    assert [m.kind for m in sent if m.to == before["user"]["email"]] == ["email_verification"]

    await verify_email(client, sent, owner)
    after = await _me(client, owner)
    _, outcome = await connect_with(client, headers, "hubspot")
    invited = await client.post(
        "/api/v1/tenants/current/invitations",
        json={"email": f"bo-{uuid4().hex[:8]}@example.com", "role": "member"},
        headers=headers,
    )

    assert after["user"]["email_verified"] is True
    assert after["user"]["email_verified_at"] is not None
    assert outcome.outcome == "connected", outcome
    assert invited.status_code == 201, invited.text


async def test_a_used_or_forged_link_is_refused(stack: Stack) -> None:
    client, sent = stack.client, stack.outbox.sent
    owner = await sign_up(client)
    token = verification_token(sent, owner["user_id"])
    tenant, user, secret = token.split(".")
    await verify_email(client, sent, owner)

    answers = [
        await client.post("/api/v1/auth/verify-email", json={"token": candidate})
        for candidate in (
            token,  # used
            f"{tenant}.{user}.{secret[:-4]}AAAA",  # guessed
            f"{uuid4()}.{user}.{secret}",  # another tenant's prefix
            "nonsense",
        )
    ]

    assert [a.status_code for a in answers] == [404] * 4
    assert {a.json()["code"] for a in answers} == {"identity.email_verification_invalid"}


async def test_resending_sends_a_new_link_and_the_earlier_one_dies(stack: Stack) -> None:
    client, sent = stack.client, stack.outbox.sent
    owner = await sign_up(client)
    first = verification_token(sent, owner["user_id"])

    resent = await client.post("/api/v1/me/email-verification", headers=bearer(owner))
    second = verification_token(sent, owner["user_id"])
    stale = await client.post("/api/v1/auth/verify-email", json={"token": first})
    fresh = await client.post("/api/v1/auth/verify-email", json={"token": second})
    again = await client.post("/api/v1/me/email-verification", headers=bearer(owner))

    assert resent.status_code == 202, resent.text
    assert second != first
    assert stale.status_code == 404
    assert fresh.status_code == 204, fresh.text
    assert again.status_code == 409
    assert again.json()["code"] == "identity.email_already_verified"


async def test_an_invited_account_is_verified_and_the_export_says_so(stack: Stack) -> None:
    client, sent = stack.client, stack.outbox.sent
    owner = await sign_up(client)
    unverified_export = await _account(client, owner)
    await verify_email(client, sent, owner)
    member = await join(client, sent, owner, "member", f"cy-{uuid4().hex[:8]}@example.com")

    profile = await _me(client, member)
    verified_export = await _account(client, member)

    assert profile["user"]["email_verified"] is True
    assert unverified_export["email_verified_at"] is None
    assert verified_export["email_verified_at"] is not None
    assert [m.kind for m in sent if m.to == profile["user"]["email"]] == ["invitation"]


async def test_resending_is_limited_per_account(tmp_path: Path) -> None:
    # The stacks lift the limiter; this harness keeps it.
    app, container = harness.build(harness.harness_settings(tmp_path))
    async with AsyncTestClient(app) as client:
        owner = await sign_up(client)
        answers = [
            (await client.post("/api/v1/me/email-verification", headers=bearer(owner)))
            for _ in range(6)
        ]
        sent = container.adapters().email().sent

    assert [a.status_code for a in answers] == [202] * 5 + [429]
    assert answers[-1].json()["code"] == "auth.too_many_attempts"
    assert "retry-after" in answers[-1].headers
    assert [m.kind for m in sent] == ["email_verification"] * 6  # sign-up's and five more
