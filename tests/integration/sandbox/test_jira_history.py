"""Jira's view of the company's changes: deletions, status changes, touches, reassignments,
retitles, hidden email addresses, and the few histories a search embeds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from adapters.sandbox.seed.model import Change
from tests.factories.sandbox import NOW, Harness, bearer, connect, running_sandbox


class Site:
    def __init__(self, h: Harness, auth: dict[str, str], cloud: str) -> None:
        self.h, self.auth = h, auth
        self.base = f"/jira/ex/jira/{cloud}/rest/api/3"

    async def search(self, jql: str, **params: Any) -> Any:
        answer = await self.h.client.get(
            f"{self.base}/search/jql", params={"jql": jql, **params}, headers=self.auth
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    async def changelog(self, issue: str) -> Any:
        return await self.h.client.get(f"{self.base}/issue/{issue}/changelog", headers=self.auth)


async def _site(h: Harness) -> Site:
    auth = bearer((await connect(h.client, "jira"))["access_token"])
    resources = (await h.client.get("/jira/oauth/token/accessible-resources", headers=auth)).json()
    return Site(h, auth, resources[0]["id"])


def _keys(page: Any) -> set[str]:
    return {i["key"] for i in page["issues"]}


async def test_a_deleted_issue_vanishes_from_search_and_changelog() -> None:
    async with running_sandbox() as h:
        site = await _site(h)
        before = await site.search("project = ENG", fields="id", maxResults=5000)
        h.sandbox.mutations.delete("issue", 0, NOW - timedelta(minutes=5))
        after = await site.search("project = ENG", fields="id", maxResults=5000)
        log = await site.changelog("ENG-1")

    assert _keys(before) - _keys(after) == {"ENG-1"}
    assert "nextPageToken" not in after  # ids alone come thousands to a page
    assert log.status_code == 404


async def test_an_appended_status_change_enters_the_changelog_and_moves_updated() -> None:
    async with running_sandbox() as h:
        site = await _site(h)
        at = NOW - timedelta(minutes=3)
        h.sandbox.mutations.change("issue", 0, Change(value="Blocked", at=at, by=1))
        h.sandbox.mutations.touch("issue", 1, at)
        recent = await site.search('updated >= "2026-01-20 12:55"', fields="updated,status")
        log = (await site.changelog("10000")).json()

    assert _keys(recent) == {"ENG-1", "ENG-2"}  # Amsterdam: 12:57 local is 11:57 UTC
    changed = next(i for i in recent["issues"] if i["key"] == "ENG-1")["fields"]
    assert changed["status"]["name"] == "Blocked"
    assert changed["updated"] == "2026-01-20T11:57:00.000+0000"
    last = log["values"][-1]
    assert last["created"] == "2026-01-20T11:57:00.000+0000"
    assert [(i["field"], i["toString"]) for i in last["items"]] == [("status", "Blocked")]


async def test_changelogs_carry_reassignments_and_retitles() -> None:
    async with running_sandbox() as h:
        site = await _site(h)
        handed = next(i for i in h.sandbox.dataset.issues if i.assignments and i.created < NOW)
        retitled = next(i for i in h.sandbox.dataset.issues if i.edits and i.edits[0].at < NOW)
        handed_log = (await site.changelog(f"ENG-{handed.number}")).json()["values"]
        retitled_log = (await site.changelog(f"ENG-{retitled.number}")).json()["values"]

    items = [item for v in handed_log for item in v["items"] if item["field"] == "assignee"]
    assert len(items) == 1
    assert items[0]["to"] == items[0]["tmpToAccountId"] != items[0]["from"]
    titles = [item for v in retitled_log for item in v["items"] if item["field"] == "summary"]
    assert titles[0]["fromString"] == retitled.edits[0].before
    assert "ATLAS-CANARY-" in titles[0]["toString"]


async def test_some_people_hide_their_email_address_but_never_from_themselves() -> None:
    async with running_sandbox() as h:
        site = await _site(h)
        page = await site.search("project = ENG", fields="assignee,reporter", maxResults=100)
        me = (await h.client.get(f"{site.base}/myself", headers=site.auth)).json()

    people = [i["fields"][role] for i in page["issues"] for role in ("assignee", "reporter")]
    assert any("emailAddress" in p for p in people)
    assert any("emailAddress" not in p for p in people)
    assert me["emailAddress"] == "maya.okafor@northwind.example"


async def test_a_search_embeds_forty_histories_and_counts_them_all() -> None:
    async with running_sandbox() as h:
        site = await _site(h)
        for minute in range(45):
            at = NOW - timedelta(hours=2) + timedelta(minutes=minute)
            value = "In Progress" if minute % 2 else "In Review"
            h.sandbox.mutations.change("issue", 0, Change(value=value, at=at, by=1))
        page = await site.search("key = ENG-1", fields="status", expand="changelog")
        full = (await site.changelog("ENG-1")).json()

    embedded = page["issues"][0]["changelog"]
    assert len(embedded["histories"]) == 40
    assert embedded["total"] == full["total"] == len(full["values"]) > 45
