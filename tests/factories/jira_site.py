"""What a Jira connection should hold, read from the sandbox's own view of the site, and ways
to connect as another person and to watch what the connector asks for."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from uuid import UUID

import httpx
import msgspec

from adapters.connectors.jira.reader import IssueCursor
from adapters.fakes.graph_tables import GraphTables
from adapters.fakes.sync import SyncTables
from adapters.sandbox.providers.jira import issues, records
from adapters.sandbox.providers.jira.issues import IssueState
from domain.graph.model import Activity, Entity, EntityId, Identity
from tests.e2e.connect_flow import altered, come_back, consent, open_start, start
from tests.factories.sync_rig import SyncRig, built

SITE = "https://northwind-sandbox.atlassian.net"
ACTIVITIES_OF_ISSUES = ("Issue created", "Issue assigned", "Issue unassigned")


def horizon(rig: SyncRig) -> datetime:
    """The end of a pass's window started now: a minute back, rounded down to the minute."""
    return (rig.sandbox.clock.now() - timedelta(seconds=60)).replace(second=0, microsecond=0)


def site_issues(rig: SyncRig, before: datetime) -> list[IssueState]:
    """The issues the site shows now that were last updated before ``before``."""
    now = rig.sandbox.clock.now()
    return [s for s in issues.visible(rig.sandbox, now) if s.updated < before]


def status_changes(rig: SyncRig, states: list[IssueState]) -> int:
    return sum(
        1
        for s in states
        for history in records.changelog(rig.sandbox.dataset, s)
        for item in history["items"]
        if item["field"] == "status"
    )


def transitions(rig: SyncRig) -> list[Activity]:
    return [a for a in rig.activities() if a.ref.source_id.endswith(":status")]


def issue_entity(rig: SyncRig, key: str) -> Entity:
    return next(e for e in rig.entities("issue") if e.name == key)


def history_of(rig: SyncRig, key: str) -> list[tuple[str, datetime]]:
    """(type, time) of the activities concerning the issue now named ``key``, in time order."""
    entity = issue_entity(rig, key)
    mine = [a for a in rig.activities() if any(o.entity_id == entity.id for o in a.objects)]
    return sorted((a.type, a.occurred_at) for a in mine)


def assignments(rig: SyncRig) -> set[tuple[EntityId, EntityId]]:
    """(issue, person) of every ``assignee`` relationship stored."""
    rows = rig.store.tables.of(GraphTables).relationships
    return {(r.source_id, r.target_id) for (_, r) in rows if r.qualifier == "assignee"}


def identities_of(rig: SyncRig, entity: Entity) -> set[Identity]:
    keys = rig.store.tables.of(GraphTables).keys
    return {identity for (_, identity), holders in keys.items() if entity.id in holders}


def cursor_of(rig: SyncRig, connection: UUID) -> IssueCursor:
    stored = rig.store.tables.of(SyncTables).checkpoints
    (_, checkpoint) = next(
        v for (_, c, s), v in stored.items() if c == connection and s == "issues"
    )
    return msgspec.json.decode(checkpoint.cursor, type=IssueCursor)


async def connect_as(rig: SyncRig, email: str) -> UUID:
    """Connect Jira signed in at Atlassian as ``email`` (the sandbox honours ``login_hint``)."""
    attempt = await start(rig.client, rig.container, rig.actor, provider="jira")
    opened = await open_start(rig.client, attempt)
    decided = await consent(rig.client, altered(opened.location, login_hint=email))
    outcome = await come_back(rig.client, decided.headers["location"], attempt.cookie)
    assert outcome.outcome == "connected", outcome
    settings = await built(rig.container.use_cases.sync.change_sync_settings)  # type: ignore[attr-defined]
    await settings.execute(rig.actor.scope, attempt.connection_id, backfill_days=730)
    return attempt.connection_id


async def watch_searches(rig: SyncRig) -> list[dict[str, str]]:
    """The query of every ``/search/jql`` call the connectors make from now on."""
    http: httpx.AsyncClient = await built(rig.container.adapters.integrations.provider_http)  # type: ignore[attr-defined]
    seen: list[dict[str, str]] = []

    async def note(request: httpx.Request) -> None:
        if request.url.path.endswith("/rest/api/3/search/jql"):
            seen.append(dict(parse_qsl(urlsplit(str(request.url)).query)))

    hooks: dict[str, list[Callable[..., Any]]] = dict(http.event_hooks)
    http.event_hooks = {**hooks, "request": [*hooks.get("request", []), note]}
    return seen
