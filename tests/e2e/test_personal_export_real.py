"""The personal export on the real stack: a ZIP with a manifest and one JSON file per section,
holding the person's rows (their mailbox's records, their connection, their sessions) and none
of a colleague's, and no token, digest or hash of anyone's."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any
from uuid import UUID

import pytest

from adapters.fakes.email import FakeEmailSender
from adapters.postgres.personal_data_sections import SECTIONS
from adapters.postgres.throwaway import ThrowawayDatabase
from tests.conftest import FreshDatabase
from tests.e2e.identity_http import bearer, join, sign_up_verified
from tests.e2e.sync_flow import Client, connected, finished, sync_now
from tests.factories.erasure import as_superuser
from tests.factories.team_stack import team

pytestmark = pytest.mark.e2e

__all__ = ["team"]  # the fixture

SECRETS = """SELECT password_hash FROM atlas.credentials
    UNION ALL SELECT encode(password_hash::bytea, 'hex') FROM atlas.credentials
    UNION ALL SELECT encode(token_digest, 'hex') FROM atlas.refresh_tokens
    UNION ALL SELECT encode(access_token, 'hex') FROM atlas.oauth_tokens
    UNION ALL SELECT encode(substr(access_token, 1, 24), 'base64') FROM atlas.oauth_tokens"""


async def _synced_mailbox(client: Client, tokens: dict[str, Any]) -> str:
    connection = await connected(client, bearer(tokens), "gmail")
    run = await finished(
        client, bearer(tokens), (await sync_now(client, bearer(tokens), connection))["id"]
    )
    assert run["status"] == "succeeded", run
    return connection


async def test_a_persons_export_holds_their_rows_and_none_of_a_colleagues(
    team: tuple[Client, FakeEmailSender], database: ThrowawayDatabase, fresh_database: FreshDatabase
) -> None:
    client, outbox = team
    colleague = await sign_up_verified(client, outbox.sent, "colleague-export@example.com")
    person = await join(client, outbox.sent, colleague, "member", "person-export@example.com")
    theirs, mine = await _synced_mailbox(client, person), await _synced_mailbox(client, colleague)
    conn = await as_superuser(database, fresh_database.app.database)
    try:
        private = await conn.fetchval(
            "SELECT count(*) FROM atlas.graph_entities WHERE private_to = $1",
            UUID(person["user_id"]),
        )
        secrets = [r[0] for r in await conn.fetch(SECRETS)]
        colleague_id = str(await conn.fetchval(
            "SELECT user_id FROM atlas.users WHERE email = 'colleague-export@example.com'"
        ))  # fmt: skip
    finally:
        await conn.close()

    answer = await client.get("/api/v1/me/export", headers=bearer(person))
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    files = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(files["manifest.json"])
    sections = {s["name"]: json.loads(files[s["file"]]) for s in manifest["sections"]}
    everything = b"".join(files.values()).decode()

    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    assert manifest["schema_version"] == 1
    assert manifest["subject"] == {
        "user_id": person["user_id"],
        "email": "person-export@example.com",
    }
    assert manifest["scope"] == "tenant"
    assert [s["name"] for s in manifest["sections"]] == list(SECTIONS)
    assert all(s["records"] == len(sections[s["name"]]) for s in manifest["sections"])
    assert [a["email"] for a in sections["account"]] == ["person-export@example.com"]
    assert [c["connection_id"] for c in sections["connections"]] == [theirs]
    assert len(sections["sessions"]) >= 1
    assert private > 0
    assert len(sections["private_entities"]) == private
    assert len(sections["private_activities"]) > 0
    assert mine not in everything
    assert colleague_id not in everything
    assert "colleague-export@example.com" not in everything
    assert person["refresh_token"] not in everything
    assert person["access_token"] not in everything
    assert [s for s in secrets if s and s.strip() in everything] == []
