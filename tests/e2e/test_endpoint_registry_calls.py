"""Every call a connector makes is in the endpoint registry, whose scopes the catalog asks for.

Each provider is connected through the consent flow, synced in full and then incrementally,
asked for an activity's and an entity's original, and disconnected with a purge (the grant
given back), all against the sandbox, which records each request's method and path. A call
that no registry entry of that provider matches fails here: a connector cannot start calling
an endpoint (and so need a scope) without the table, and so the catalog, knowing it.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from domain.integrations.endpoints import endpoints_of
from domain.integrations.providers import CATALOG
from tests.e2e.harness import bearer
from tests.e2e.test_originals import RECORDS, SUBDOMAINS, an_activity, an_entity, original
from tests.factories.sync_rig import sync_rig

pytestmark = pytest.mark.e2e


def unregistered(provider: str, calls: set[tuple[str, str]]) -> list[tuple[str, str]]:
    spec = CATALOG[provider]
    prefix = f"/{spec.platform}"
    consent_page = urlsplit(spec.authorize_url).path  # the browser's, not the connector's
    left = []
    for method, path in sorted(calls):
        inner = path.removeprefix(prefix)
        if inner == consent_page:
            continue
        if not any(e.matches(method, inner) for e in endpoints_of(provider)):
            left.append((method, inner))
    return left


@pytest.mark.parametrize("provider", sorted(RECORDS))
async def test_every_call_of_a_connector_is_a_registered_endpoint(
    tmp_path: Path, provider: str
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect(provider, backfill_days=120, **SUBDOMAINS.get(provider, {}))
        first = await rig.sync(connection)
        again = await rig.sync(connection)
        shown = [
            await original(rig, "activities", an_activity(rig, provider).id),
            await original(rig, "entities", an_entity(rig, provider).id),
        ]
        gone = await rig.client.delete(
            f"/api/v1/connections/{connection}?purge=true", headers=bearer(rig.container, rig.actor)
        )
        calls = rig.sandbox.calls.seen()

    assert (first.status.value, again.status.value) == ("succeeded", "succeeded")
    assert [answer.status_code for answer in shown] == [200, 200]
    assert gone.status_code == 200, gone.text
    assert len(calls) > 3  # the recorder saw the run
    assert unregistered(provider, calls) == []


def test_a_call_missing_from_the_registry_is_caught() -> None:
    calls = {("GET", "/slack/api/conversations.history"), ("GET", "/slack/api/im.history")}

    assert unregistered("slack", calls) == [("GET", "/api/im.history")]
