"""No content, ever: after a full sync of all seven providers on the real stack, none of the
canary strings the sandbox puts in every content field (subjects, bodies, snippets, message
text, descriptions, comments, titles, locations...) is in the database dump, in any API answer
a member can read, or in any log record."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from adapters.postgres.throwaway import ThrowawayDatabase
from domain.integrations.providers import CATALOG
from entrypoints.container import Application, real_container
from entrypoints.database import DatabaseEndpoints
from entrypoints.http.app import create_app
from entrypoints.settings import load_settings
from tests.conftest import FreshDatabase
from tests.e2e.connect_flow import BASE
from tests.e2e.sync_flow import Client, connected, finished, member, sync_now
from tests.factories.dump import database_dump

pytestmark = pytest.mark.e2e

SUBDOMAINS = {"zendesk": {"subdomain": "northwind"}}
OBJECT_TYPES = (
    "person",
    "company",
    "deal",
    "ticket",
    "issue",
    "email_thread",
    "meeting",
    "channel",
    "slack_thread",
)


class Everything(logging.Handler):
    """Every record of every logger, formatted with its arguments and traceback, unfiltered."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def logs() -> Iterator[Everything]:
    handler, root = Everything(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.fixture
async def stack(
    fresh_database: FreshDatabase, tmp_path: Path
) -> AsyncIterator[tuple[Client, Application]]:
    settings = load_settings({"ATLAS_PASSWORD_HASH_CONCURRENCY": "2"}, cwd=tmp_path)
    container = real_container(settings, DatabaseEndpoints(app=fresh_database.app, owner=None))
    async with AsyncTestClient(create_app(container, with_worker=True), base_url=BASE) as app:
        yield app, container


async def _read_everything(app: Client, headers: dict[str, str]) -> list[str]:
    """Every answer a member can read about their synced graph and their syncs."""
    answers = [
        await app.get(path, headers=headers)
        for path in (
            "/api/v1/connections",
            "/api/v1/sync-runs?limit=100",
            "/api/v1/graph/export.ocel.json",
        )
    ]
    for object_type in OBJECT_TYPES:
        for view in ("process-map", "variants", "handoffs"):
            answers.append(
                await app.get(f"/api/v1/graph/{view}?object_type={object_type}", headers=headers)
            )
        listed = await app.get(
            f"/api/v1/graph/entities?type={object_type}&limit=50", headers=headers
        )
        answers.append(listed)
        for entity in listed.json()["entities"][:5]:
            answers.append(await app.get(f"/api/v1/graph/entities/{entity['id']}", headers=headers))
    cursor: Any = None
    while True:  # every activity, page by page
        page = await app.get(
            "/api/v1/graph/activities",
            params={"limit": 500, **({"cursor": cursor} if cursor else {})},
            headers=headers,
        )
        answers.append(page)
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert all(a.status_code == 200 for a in answers), [
        a.text for a in answers if a.status_code != 200
    ]
    return [a.text for a in answers]


async def _checkpoints(database: ThrowawayDatabase, name: str) -> list[str]:
    conn = await asyncpg.connect(**database.superuser.with_database(name).asyncpg_kwargs())
    try:
        rows = await conn.fetch("SELECT cursor FROM atlas.sync_checkpoints")
    finally:
        await conn.close()
    return [bytes(r["cursor"]).decode("utf-8", "replace") for r in rows]


async def test_no_content_reaches_the_database_the_api_or_the_logs(
    stack: tuple[Client, Application],
    logs: Everything,
    database: ThrowawayDatabase,
    fresh_database: FreshDatabase,
) -> None:
    app, container = stack
    owner = await member(app)
    connections = {p: await connected(app, owner, p, **SUBDOMAINS.get(p, {})) for p in CATALOG}
    runs = [await sync_now(app, owner, c) for c in connections.values()]
    done = [await finished(app, owner, r["id"], within=600) for r in runs]

    answers = await _read_everything(app, owner)
    dump = database_dump(database, fresh_database.app.database)
    cursors = await _checkpoints(database, fresh_database.app.database)  # bytea: hex in a dump
    canaries = container.adapters.sandbox().dataset.canaries  # type: ignore[attr-defined]

    assert [r["status"] for r in done] == ["succeeded"] * len(CATALOG), done
    assert sum(r["records_new"] for r in done) > 5_000
    assert len(canaries) > 1_000
    assert len(cursors) >= len(CATALOG)
    assert any("HTTP Request" in line for line in logs.lines)  # the logs were captured at all
    everywhere = {
        "dump": dump,
        "cursors": "\n".join(cursors),
        "answers": "\n".join(answers),
        "logs": "\n".join(logs.lines),
    }
    for place, text in everywhere.items():
        assert "ATLAS-CANARY-" not in text, place
        assert not [c for c in canaries if c in text], place
