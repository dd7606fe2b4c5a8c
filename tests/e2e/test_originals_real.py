"""Originals on the real stack (PostgreSQL, the worker, the sandbox): after a member fetched an
activity's and an entity's original from each of the seven providers, and got the sandbox's
content, no part of any original is in the database, in the logs, or in any other answer; the
audit holds one row per retrieval with the reference only. A member of another tenant gets
404 for the same record."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
import pytest

from adapters.postgres.throwaway import ThrowawayDatabase
from domain.integrations.providers import CATALOG
from entrypoints.container import Application
from tests.conftest import FreshDatabase
from tests.e2e.sync_flow import Client, connected, finished, member, sync_now
from tests.e2e.test_originals import CREATED, RECORDS, SUBDOMAINS
from tests.e2e.test_sync_canaries import Everything, _read_everything, logs, stack
from tests.factories.dump import database_dump

pytestmark = pytest.mark.e2e
__all__ = ["logs", "stack"]

ENTITY_TYPES = {
    "salesforce": "deal",
    "hubspot": "deal",
    "gmail": "email_thread",
    "google_calendar": "meeting",
    "slack": "channel",
    "zendesk": "ticket",
    "jira": "issue",
}


async def _activities(app: Client, headers: dict[str, str]) -> list[dict[str, Any]]:
    found, cursor = [], None
    while True:
        params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = (await app.get("/api/v1/graph/activities", params=params, headers=headers)).json()
        found += page["activities"]
        if not (cursor := page["next_cursor"]):
            return found


async def _entity(app: Client, headers: dict[str, str], provider: str) -> dict[str, Any]:
    listed = await app.get(
        "/api/v1/graph/entities",
        params={"type": ENTITY_TYPES[provider], "limit": 500},
        headers=headers,
    )
    prefix = RECORDS[provider][1]
    return next(
        e
        for e in listed.json()["entities"]
        if e["ref"]["provider"] == provider and e["ref"]["source_id"].startswith(prefix)
    )


def _activity(activities: list[dict[str, Any]], provider: str) -> dict[str, Any]:
    prefix = RECORDS[provider][0]
    return next(
        a
        for a in activities
        if a["ref"]["provider"] == provider
        and a["ref"]["source_id"].startswith(prefix)
        and a["type"] == CREATED.get(provider, a["type"])
    )


async def _audit(database: ThrowawayDatabase, name: str) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(**database.superuser.with_database(name).asyncpg_kwargs())
    try:
        rows = await conn.fetch("SELECT * FROM atlas.original_retrievals")
    finally:
        await conn.close()
    return [dict(r) for r in rows]


async def test_originals_reach_the_member_and_nothing_of_them_stays_anywhere(
    stack: tuple[Client, Application],
    logs: Everything,
    database: ThrowawayDatabase,
    fresh_database: FreshDatabase,
) -> None:
    app, container = stack
    owner, stranger = await member(app), await member(app)
    connections = {
        p: await connected(app, owner, p, backfill_days=120, **SUBDOMAINS.get(p, {}))
        for p in CATALOG
    }
    runs = [await sync_now(app, owner, c) for c in connections.values()]
    done = [await finished(app, owner, r["id"], within=600) for r in runs]
    assert [r["status"] for r in done] == ["succeeded"] * len(CATALOG), done
    canaries = container.adapters.sandbox().dataset.canaries  # type: ignore[attr-defined]
    # Capture from here on, where the originals are fetched.
    root = logging.getLogger()
    if logs not in root.handlers:
        root.addHandler(logs)
    activities = await _activities(app, owner)
    records = []
    for provider in CATALOG:
        records.append(("activities", _activity(activities, provider)))
        records.append(("entities", await _entity(app, owner, provider)))

    originals = [
        await app.get(f"/api/v1/graph/{kind}/{r['id']}/original", headers=owner)
        for kind, r in records
    ]
    foreign = await app.get(f"/api/v1/graph/entities/{records[1][1]['id']}/original",
                            headers=stranger)  # fmt: skip
    answers = await _read_everything(app, owner)
    dump = database_dump(database, fresh_database.app.database)
    audit = await _audit(database, fresh_database.app.database)

    for answer in originals:
        assert answer.status_code == 200, answer.text
        assert answer.headers["cache-control"] == "no-store"
        assert [c for c in canaries if c in answer.text], answer.text[:300]
    assert foreign.status_code == 404
    assert foreign.json()["code"] == "graph.entity_not_found"
    assert sorted((a["record_id"].hex, a["outcome"]) for a in audit) == sorted(
        (r["id"].replace("-", ""), "ok") for _, r in records
    )
    assert {(a["provider"], a["source_id"]) for a in audit} == {
        (r["ref"]["provider"], r["ref"]["source_id"]) for _, r in records
    }
    assert any("/original" in line for line in logs.lines)  # the requests were logged at all
    assert any("/audits/" in line for line in logs.lines)  # and the provider calls
    everywhere = {"dump": dump, "answers": "\n".join(answers), "logs": "\n".join(logs.lines)}
    for place, text in everywhere.items():
        assert "ATLAS-CANARY-" not in text, place
        assert not [c for c in canaries if c in text], place
