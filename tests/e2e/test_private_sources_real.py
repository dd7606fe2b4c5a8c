"""Who sees what, on the real stack (PostgreSQL row security, the worker, the sandbox): a
member's mailbox and calendar are theirs alone, through every endpoint, until they share them;
the company's CRM is everyone's."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from adapters.fakes.email import FakeEmailSender
from tests.e2e.identity_http import bearer, join, sign_up_verified
from tests.e2e.sync_flow import Client, connected, finished, sync_now
from tests.factories.team_stack import team

pytestmark = pytest.mark.e2e

GRAPH = "/api/v1/graph"
PERSONAL = ("gmail", "google_calendar")

__all__ = ["team"]  # the fixture


async def _all(client: Client, path: str, key: str, headers: dict[str, str]) -> list[Any]:
    """Every item of a paged listing, page by page."""
    items: list[Any] = []
    cursor = None
    while True:
        suffix = f"&cursor={cursor}" if cursor else ""
        answer = await client.get(f"{GRAPH}{path}{suffix}", headers=headers)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        items += body[key]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


async def _view(client: Client, headers: dict[str, str], *, export: bool) -> dict[str, Any]:
    """What one member gets from every graph endpoint, reduced to comparable facts."""
    activities = await _all(client, "/activities?limit=500", "activities", headers)
    view: dict[str, Any] = {
        "activities": Counter(a["ref"]["provider"] for a in activities),
        "entities": Counter(
            e["ref"]["provider"]
            for e in await _all(client, "/entities?limit=500", "entities", headers)
        ),
    }
    for kind in ("email_thread", "meeting", "person", "deal"):
        shown = (
            await client.get(f"{GRAPH}/process-map?object_type={kind}", headers=headers)
        ).json()
        variants = (
            await client.get(f"{GRAPH}/variants?object_type={kind}", headers=headers)
        ).json()
        handoffs = (
            await client.get(f"{GRAPH}/handoffs?object_type={kind}", headers=headers)
        ).json()
        view[kind] = (
            shown["map"]["objects"],
            sorted((n["activity"], n["count"]) for n in shown["map"]["nodes"]),
            variants["variant_count"],
            len(handoffs["handoffs"]),
        )
    if export:
        exported = json.loads(
            (await client.get(f"{GRAPH}/export.ocel.json", headers=headers)).content
        )
        view["export"] = len(exported["events"])
    return view


async def test_personal_sources_are_private_until_shared_through_every_endpoint(
    team: tuple[Client, FakeEmailSender],
) -> None:
    client, outbox = team
    owner_tokens = await sign_up_verified(client, outbox.sent)
    owner = bearer(owner_tokens)
    ada = bearer(await join(client, outbox.sent, owner_tokens, "admin", "ada@example.com"))
    bob = bearer(await join(client, outbox.sent, owner_tokens, "member", "bob@example.com"))
    sources = {p: await connected(client, ada, p) for p in (*PERSONAL, "hubspot")}
    for provider, connection in sources.items():
        run = await finished(client, ada, (await sync_now(client, ada, connection))["id"])
        assert run["status"] == "succeeded", (provider, run)
    thread = (await client.get(f"{GRAPH}/entities?type=email_thread&limit=1", headers=ada)).json()
    thread_id = thread["entities"][0]["id"]
    mail = await _all(client, "/activities?limit=500", "activities", ada)
    message = next(a["id"] for a in mail if a["ref"]["provider"] == "gmail")
    ada_entities = await _all(client, "/entities?limit=500", "entities", ada)
    unlinked = Counter(
        (r["ref"]["provider"], r.get("type")) for r in [*mail, *ada_entities] if not r["source_url"]
    )
    original = f"{GRAPH}/activities/{message}/original"

    private = {
        who: await _view(client, h, export=who != "bob")
        for who, h in (("ada", ada), ("bob", bob), ("owner", owner))
    }  # fmt: skip (bob may not export)
    peeks = [
        (await client.get(f"{GRAPH}/entities/{thread_id}", headers=h)).status_code
        for h in (bob, owner)
    ]
    originals = [(await client.get(original, headers=h)).status_code for h in (ada, bob, owner)]
    about = {
        who: (await client.get(f"{GRAPH}/activities?object={thread_id}", headers=h)).json()
        for who, h in (("ada", ada), ("bob", bob))
    }
    listed = (await client.get("/api/v1/connections", headers=ada)).json()["items"]
    directory = await client.get("/api/v1/tenants/current/connections", headers=owner)
    bob_directory = await client.get("/api/v1/tenants/current/connections", headers=bob)
    shared_mail = await client.patch(
        f"/api/v1/connections/{sources['gmail']}", json={"shared": True}, headers=ada
    )
    after_share = {who: await _view(client, h, export=False) for who, h in
                   (("ada", ada), ("bob", bob))}  # fmt: skip
    bob_sees_thread = await client.get(f"{GRAPH}/entities/{thread_id}", headers=bob)
    bob_original = await client.get(original, headers=bob)
    unshared = await client.patch(
        f"/api/v1/connections/{sources['gmail']}", json={"shared": False}, headers=ada
    )
    after_unshare = await _view(client, bob, export=False)
    crm = await client.patch(
        f"/api/v1/connections/{sources['hubspot']}", json={"shared": False}, headers=ada
    )

    ada_view, bob_view, owner_view = private["ada"], private["bob"], private["owner"]
    # Ada sees her mail and meetings; neither Bob nor the owner sees any trace of them.
    assert ada_view["activities"]["gmail"] > 0
    assert ada_view["activities"]["google_calendar"] > 0
    assert ada_view["email_thread"][0] > 0
    assert ada_view["meeting"][0] > 0
    for view in (bob_view, owner_view):
        assert set(view["activities"]) == {"hubspot"}, view["activities"]
        assert not set(view["entities"]) & set(PERSONAL), view["entities"]
        assert view["email_thread"] == (0, [], 0, 0)
        assert view["meeting"] == (0, [], 0, 0)
        assert view["deal"] == ada_view["deal"]  # the company's CRM is everyone's
    assert owner_view["export"] == bob_view["activities"].total() < ada_view["export"]
    assert peeks == [404, 404]
    assert unlinked == Counter(), unlinked  # every record opens at its provider
    assert originals == [200, 404, 404]  # the original only for who may see the record
    assert about["ada"]["activities"]  # her own thread's messages, not in the shared sequences
    assert about["bob"]["activities"] == []
    assert {c["provider"]: (c["personal"], c["shared"]) for c in listed} == {
        "gmail": (True, False), "google_calendar": (True, False), "hubspot": (False, True),
    }  # fmt: skip
    # The owner sees that Ada's connections exist, never their records; Bob sees neither.
    assert directory.status_code == 200, directory.text
    assert sorted(
        (c["provider"], c["owner"]["email"], c["status"], c["personal"], c["shared"])
        for c in directory.json()
    ) == [
        ("gmail", "ada@example.com", "active", True, False),
        ("google_calendar", "ada@example.com", "active", True, False),
        ("hubspot", "ada@example.com", "active", False, True),
    ]
    assert bob_directory.status_code == 403
    # Shared, the mail is everyone's: the same maps, the same records; the calendar is not.
    assert shared_mail.status_code == 200, shared_mail.text
    assert shared_mail.json()["shared"] is True
    assert after_share["bob"]["email_thread"] == after_share["ada"]["email_thread"]
    assert after_share["bob"]["activities"]["gmail"] == ada_view["activities"]["gmail"]
    assert after_share["bob"]["meeting"] == (0, [], 0, 0)
    assert bob_sees_thread.status_code == 200
    assert bob_original.status_code == 200  # fetched with Ada's connection, for Bob
    # Taken back, it is Ada's alone again.
    assert unshared.json()["shared"] is False
    assert after_unshare == bob_view | {"deal": after_unshare["deal"]}
    assert after_unshare["email_thread"] == (0, [], 0, 0)
    assert (crm.status_code, crm.json()["code"]) == (422, "integrations.not_personal")
