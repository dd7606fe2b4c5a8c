"""A start link is not a bearer capability: only the member who started can open it.

The attack (issue 15, item 1): Mallory starts connecting in her tenant and sends Victor her start
link. Before, Victor's browser opening it and approving at the provider linked *Victor's* provider
account into Mallory's tenant. Now the link leads to the web app's confirmation, and opening the
ticket needs Mallory's own session: anyone else stores nothing and never reaches the provider.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import pytest
from msgspec.structs import replace

from adapters.fakes.integrations import IntegrationsTables
from domain.identity.model import Role
from tests.e2e.connect_flow import (
    BASE,
    come_back,
    consent,
    harness,
    open_start,
    person,
    start,
)
from tests.e2e.harness import bearer

pytestmark = pytest.mark.e2e
__all__ = ["harness"]  # the fixture


def pending_of(container: Any) -> Any:
    (pending,) = container.adapters.store().tables.of(IntegrationsTables).pending.values()
    return pending


async def test_the_start_link_leads_to_the_apps_confirmation_with_the_ticket_out_of_any_query(
    harness: Any,
) -> None:
    client, container = harness
    attempt = await start(client, container, person(), provider="hubspot")

    link = urlsplit(attempt.authorization_url)

    assert f"{link.scheme}://{link.netloc}" == BASE
    assert (link.path, link.query) == ("/connect", "")
    assert link.fragment == attempt.ticket  # never sent to a server, never in a Referer


@pytest.mark.parametrize(
    "stranger", ["another tenant's member", "a colleague in the same tenant", "nobody signed in"]
)
async def test_anyone_but_the_starter_is_refused_and_stores_nothing(
    harness: Any, stranger: str
) -> None:
    client, container = harness
    mallory = person(role=Role.ADMIN)
    attempt = await start(client, container, mallory, provider="hubspot")
    as_whom = {
        "another tenant's member": lambda: bearer(container, person()),
        "a colleague in the same tenant": lambda: bearer(container, person(mallory.tenant_id)),
        "nobody signed in": lambda: {},
    }[stranger]()

    refused = await open_start(client, attempt, as_whom=as_whom)

    if as_whom:
        assert (refused.status_code, refused.code) == (403, "integrations.start_link_not_yours")
    else:
        assert refused.status_code == 401
    assert (refused.location, refused.set_cookie) == ("", "")
    pending = pending_of(container)
    assert (pending.ticket_used_at, pending.binding_hash) == (None, None)
    # The starter's own browser still opens it: the stranger used nothing up.
    mine = await open_start(client, attempt)
    assert (mine.status_code, mine.location) == (200, attempt.provider_url)


async def test_following_the_link_in_any_browser_binds_nothing_and_goes_to_the_app(
    harness: Any,
) -> None:
    client, container = harness
    attempt = await start(client, container, person(), provider="salesforce")

    followed = await client.get(f"/api/v1/oauth/start/{attempt.ticket}", follow_redirects=False)

    assert followed.status_code == 303
    assert followed.headers["location"] == attempt.authorization_url
    assert "set-cookie" not in followed.headers
    assert pending_of(container).ticket_used_at is None


async def test_the_victim_approving_at_the_provider_links_nothing_into_the_attackers_tenant(
    harness: Any,
) -> None:
    client, container = harness
    mallory, victor = person(role=Role.ADMIN), person()
    attempt = await start(client, container, mallory, provider="hubspot")

    # Victor's browser tries the ticket as Victor, then goes to the provider page anyway.
    refused = await open_start(client, attempt, as_whom=bearer(container, victor))
    decided = await consent(client, attempt.provider_url)
    outcome = await come_back(client, decided.headers["location"], refused.set_cookie or None)

    assert refused.code == "integrations.start_link_not_yours"
    assert (outcome.outcome, outcome.connection) == ("error", None)
    listed = await client.get("/api/v1/connections", headers=bearer(container, mallory))
    assert listed.json()["items"] == []


async def test_a_member_demoted_to_viewer_after_starting_cannot_open(harness: Any) -> None:
    client, container = harness
    starter = person(role=Role.MEMBER)
    attempt = await start(client, container, starter, provider="hubspot")
    # A session of their own since the demotion (a process remembers a role for a second).
    demoted = bearer(container, replace(starter, role=Role.VIEWER, session_id=uuid4()))

    refused = await open_start(client, attempt, as_whom=demoted)

    assert refused.status_code == 403
    assert pending_of(container).ticket_used_at is None
