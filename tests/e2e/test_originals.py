"""Originals on demand, on the fake harness: each provider's original reaches the member who may
see the record, with the sandbox's content in it; nothing of it is kept; each way an original
can be unavailable has its own answer."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.fakes.originals import RetrievalTables
from domain.graph.model import Activity, Entity
from domain.graph.originals import RetrievalOutcome
from domain.identity.model import Role
from tests.e2e.connect_flow import person
from tests.e2e.harness import bearer
from tests.factories.sandbox_control import control_in
from tests.factories.sync_rig import SyncRig, sync_rig

pytestmark = pytest.mark.e2e

SUBDOMAINS = {"zendesk": {"subdomain": "northwind"}}
# Per provider: a kind of activity and a kind of entity whose original holds content (the
# source id's prefix, and the activity type where one prefix covers several).
RECORDS: dict[str, tuple[str, str]] = {
    "salesforce": ("task:", "opportunity:"),
    "hubspot": ("dealstage:", "deal:"),
    "gmail": ("message:", "thread:"),
    "google_calendar": ("event:", "event:"),
    "slack": ("msg:", "channel:"),
    "zendesk": ("event:", "ticket:"),
    "jira": ("history:", "issue:"),
}
CREATED = {"zendesk": "Ticket created"}  # only the creation audit carries a comment


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[SyncRig]:
    async with sync_rig(tmp_path) as made:
        yield made


async def synced(rig: SyncRig, provider: str) -> None:
    connection = await rig.connect(provider, backfill_days=120, **SUBDOMAINS.get(provider, {}))
    run = await rig.sync(connection)
    assert run.status.value == "succeeded", run


def an_activity(rig: SyncRig, provider: str) -> Activity:
    prefix = RECORDS[provider][0]
    return next(
        a
        for a in sorted(rig.activities(), key=lambda a: (a.occurred_at, a.id))
        if a.ref.provider == provider
        and a.ref.source_id.startswith(prefix)
        and a.type == CREATED.get(provider, a.type)
    )


def an_entity(rig: SyncRig, provider: str) -> Entity:
    prefix = RECORDS[provider][1]
    return next(
        e
        for e in sorted(rig.entities(), key=lambda e: e.id)
        if e.ref.provider == provider and e.ref.source_id.startswith(prefix)
    )


def canaries_in(rig: SyncRig, text: str) -> list[str]:
    return [c for c in rig.sandbox.dataset.canaries if c in text]


async def original(rig: SyncRig, kind: str, record_id: Any, who: Any = None) -> Any:
    headers = bearer(rig.container, who or rig.actor)
    return await rig.client.get(f"/api/v1/graph/{kind}/{record_id}/original", headers=headers)


@pytest.mark.parametrize("provider", sorted(RECORDS))
async def test_an_activitys_and_an_entitys_original_carry_the_providers_content(
    rig: SyncRig, provider: str
) -> None:
    await synced(rig, provider)
    activity, entity = an_activity(rig, provider), an_entity(rig, provider)

    answers = [await original(rig, "activities", activity.id)]
    answers.append(await original(rig, "entities", entity.id))

    for answer, record in zip(answers, (activity, entity), strict=True):
        assert answer.status_code == 200, answer.text
        assert answer.headers["cache-control"] == "no-store"
        body = answer.json()
        assert (body["provider"], body["source_id"]) == (provider, record.ref.source_id)
        assert canaries_in(rig, json.dumps(body["original"])), body
    audit = rig.store.tables.of(RetrievalTables).retrievals.values()
    assert sorted((r.record_id, r.outcome) for r in audit) == sorted(
        [(activity.id, RetrievalOutcome.OK), (entity.id, RetrievalOutcome.OK)]
    )


async def test_a_colleague_fetches_through_the_owners_connection_another_tenant_cannot(
    rig: SyncRig,
) -> None:
    await synced(rig, "zendesk")
    ticket = an_entity(rig, "zendesk")
    colleague = person(rig.actor.tenant_id, role=Role.MEMBER)
    stranger = person(role=Role.OWNER)

    shared = await original(rig, "entities", ticket.id, colleague)
    foreign = await original(rig, "entities", ticket.id, stranger)
    missing = await original(rig, "activities", ticket.id)

    assert shared.status_code == 200, shared.text
    assert canaries_in(rig, shared.text)
    assert foreign.status_code == 404
    assert foreign.json()["code"] == "graph.entity_not_found"
    assert not canaries_in(rig, foreign.text)
    assert missing.json()["code"] == "graph.activity_not_found"
    audit = list(rig.store.tables.of(RetrievalTables).retrievals.values())
    assert [(r.user_id, r.outcome) for r in audit] == [(colleague.user_id, RetrievalOutcome.OK)]


async def test_a_record_the_provider_deleted_is_gone_with_a_stable_code(rig: SyncRig) -> None:
    await synced(rig, "zendesk")
    ticket = an_entity(rig, "zendesk")
    key = int(ticket.ref.source_id.removeprefix("ticket:")) - 1001
    deleted = {"kind": "ticket", "key": key, "action": "delete"}
    control = control_in(rig.client.app)
    gone = await rig.client.post("/sandbox/_control/records", json=deleted, headers=control)
    assert gone.status_code == 200

    answer = await original(rig, "entities", ticket.id)

    assert answer.status_code == 404
    assert answer.json()["code"] == "graph.original_gone"
    audit = list(rig.store.tables.of(RetrievalTables).retrievals.values())
    assert [r.outcome for r in audit] == [RetrievalOutcome.GONE]


async def test_a_connection_needing_reauth_answers_409_with_the_reconnect_link(
    rig: SyncRig,
) -> None:
    await synced(rig, "jira")
    issue = an_entity(rig, "jira")
    jira, control = {"provider": "jira"}, control_in(rig.client.app)
    revoked = await rig.client.post("/sandbox/_control/grants/revoke", json=jira, headers=control)
    assert revoked.status_code == 200
    expired = await rig.client.post("/sandbox/_control/tokens/expire", json=jira, headers=control)
    assert expired.status_code == 200

    answer = await original(rig, "entities", issue.id)

    assert answer.status_code == 409, answer.text
    problem = answer.json()
    assert problem["code"] == "graph.original_needs_reauth"
    assert problem["reconnect"] == f"/api/v1/connections/{issue.ref.scope}/reconnect"
    audit = list(rig.store.tables.of(RetrievalTables).retrievals.values())
    assert [r.outcome for r in audit] == [RetrievalOutcome.REAUTH]


async def test_a_throttled_provider_answers_503_with_its_retry_after(rig: SyncRig) -> None:
    await synced(rig, "hubspot")
    deal = an_entity(rig, "hubspot")
    fault = {"provider": "hubspot", "fault": {"kind": "rate_limit", "retry_after": 30}}
    control = control_in(rig.client.app)
    throttled = await rig.client.post("/sandbox/_control/faults", json=fault, headers=control)
    assert throttled.status_code == 201

    answer = await original(rig, "entities", deal.id)

    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "graph.original_source_unavailable"
    assert int(answer.headers["retry-after"]) >= 30


async def test_an_imported_record_has_no_original(rig: SyncRig) -> None:
    await synced(rig, "gmail")
    mention = next(e for e in rig.entities("person") if e.ref.provider == "gmail")

    answer = await original(rig, "entities", mention.id)

    assert answer.status_code == 409
    assert answer.json()["code"] == "graph.original_unavailable"
