"""The tenant export on the real stack: owners only; a ZIP with the tenant's settings, members,
connections (never a token) and its graph as OCEL 2.0 JSON, and a manifest."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from adapters.fakes.email import FakeEmailSender
from tests.e2e.identity_http import bearer, join, sign_up_verified
from tests.e2e.sync_flow import Client, connected
from tests.factories.team_stack import team

pytestmark = pytest.mark.e2e

__all__ = ["team"]  # the fixture

EXPORT = "/api/v1/tenant/export"


async def test_an_owner_exports_the_tenant_and_an_admin_may_not(
    team: tuple[Client, FakeEmailSender],
) -> None:
    client, outbox = team
    owner = await sign_up_verified(client, outbox.sent, organisation="Exporters")
    admin = await join(client, outbox.sent, owner, "admin", "admin-export@example.com")
    connection = await connected(client, bearer(admin), "hubspot")

    refused = await client.get(EXPORT, headers=bearer(admin))
    answer = await client.get(EXPORT, headers=bearer(owner))
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    manifest = json.loads(archive.read("manifest.json"))
    files = {s["name"]: s["file"] for s in manifest["sections"]}
    members = json.loads(archive.read(files["members"]))
    connections = json.loads(archive.read(files["connections"]))
    graph = json.loads(archive.read(files["graph"]))

    assert refused.status_code == 403
    assert refused.json()["code"] == "auth.role_required"
    assert answer.status_code == 200, answer.text
    assert manifest["kind"] == "tenant"
    assert manifest["subject"] is None
    assert list(files) == ["settings", "members", "connections", "graph"]
    assert json.loads(archive.read(files["settings"]))[0]["name"] == "Exporters"
    assert sorted(m["role"] for m in members) == ["admin", "owner"]
    assert [c["id"] for c in connections] == [connection]
    assert {"objectTypes", "objects", "events"} <= graph.keys()
    assert "token" not in archive.read(files["connections"]).decode().lower()
