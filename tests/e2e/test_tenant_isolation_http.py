"""Through HTTP, a user of tenant A gets 404 (never 403) for every resource id of tenant B.

On both tiers: the fakes, and the real adapters over PostgreSQL's row security (tests/e2e/tiers.py).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient

from adapters.fakes.email import FakeEmailSender
from tests.e2e.identity_http import PASSWORD, bearer, sign_up_verified
from tests.e2e.tiers import Stack, stack, tier

__all__ = ["stack", "tier"]  # the fixtures

MEMBERS = "/api/v1/tenants/current/members"
INVITATIONS = "/api/v1/tenants/current/invitations"


async def _tenant(
    client: AsyncTestClient[Any], outbox: FakeEmailSender, members: int, invitations: int
) -> dict[str, Any]:
    owner = await sign_up_verified(client, outbox.sent)
    for n in range(members + invitations):
        await client.post(
            INVITATIONS,
            json={"email": f"p{n}-{owner['tenant_id'][-6:]}@example.com", "role": "admin"},
            headers=bearer(owner),
        )
        if n < members:
            token = outbox.sent[-1].text.split("#token=")[1].split()[0]
            await client.post(
                "/api/v1/auth/invitations/accept",
                json={"token": token, "password": PASSWORD, "name": "P"},
            )
    roster = (await client.get(MEMBERS, headers=bearer(owner))).json()
    pending = (await client.get(INVITATIONS, headers=bearer(owner))).json()
    return {"owner": owner, "members": roster, "invitations": pending}


# Every example shares the module's stack (one per tier) and signs up tenants of its own.
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    members=st.integers(min_value=0, max_value=3),
    invitations=st.integers(min_value=0, max_value=2),
    role=st.sampled_from(["owner", "admin", "member"]),
)
async def test_another_tenants_ids_are_not_found_and_untouched(
    stack: Stack, members: int, invitations: int, role: str
) -> None:
    client = stack.client
    mine = await _tenant(client, stack.outbox, 0, 0)
    theirs = await _tenant(client, stack.outbox, members, invitations)
    me = bearer(mine["owner"])

    answers = []
    for member in theirs["members"]:
        path = f"{MEMBERS}/{member['user_id']}"
        answers += [
            (await client.get(path, headers=me)).status_code,
            (await client.patch(path, json={"role": role}, headers=me)).status_code,
            (await client.delete(path, headers=me)).status_code,
        ]
    for invitation in theirs["invitations"]:
        path = f"{INVITATIONS}/{invitation['id']}"
        answers.append((await client.delete(path, headers=me)).status_code)
    after = await _tenant_view(client, theirs)

    assert answers == [404] * (3 * (members + 1) + invitations)
    assert after == (theirs["members"], theirs["invitations"])


async def _tenant_view(client: AsyncTestClient[Any], tenant: dict[str, Any]) -> tuple[Any, Any]:
    owner = bearer(tenant["owner"])
    return (
        (await client.get(MEMBERS, headers=owner)).json(),
        (await client.get(INVITATIONS, headers=owner)).json(),
    )
