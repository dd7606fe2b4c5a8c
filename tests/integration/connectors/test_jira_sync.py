"""Jira through the sync engine against the sandbox: issues by id with their key, their status
transitions and handovers, people, deletions, time zones, page tokens and throttles."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest

from adapters.connectors.jira import reader as jira_reader
from adapters.sandbox.faults import FaultRule, RateLimit
from adapters.sandbox.providers.ids import atlassian_account
from adapters.sandbox.providers.jira.records import email_visible
from adapters.sandbox.seed.model import Change
from domain.sync.run import RunStatus
from tests.factories.jira_site import (
    SITE,
    assignments,
    connect_as,
    cursor_of,
    history_of,
    horizon,
    identities_of,
    issue_entity,
    site_issues,
    status_changes,
    transitions,
    watch_searches,
)
from tests.factories.sync_rig import SyncRig, sync_rig

NEW_YORK_ENGINEER = "lucas.larsen@northwind.example"


async def test_first_sync_brings_issues_with_transitions_assignees_and_people(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("jira")
        expected = site_issues(rig, horizon(rig))

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        stored = rig.entities("issue")
        assert sorted(e.name or "" for e in stored) == sorted(s.key for s in expected)
        assert len(expected) > 50
        assert all(e.url == f"{SITE}/browse/{e.name}" for e in stored)
        assert len(transitions(rig)) == status_changes(rig, expected) > len(expected)
        handovers = sum(len(s.assignments) for s in expected)
        assert len(rig.activities("Issue assigned")) == handovers > 0
        assert len(rig.activities("Issue created")) == len(expected)
        people = {e.ref.source_id: e for e in rig.entities("person")}
        issues = {e.name: e for e in stored}
        edges = assignments(rig)
        for state in expected:
            person = rig.sandbox.dataset.people[state.assignee]
            assignee = people[f"user:{atlassian_account(person.key)}"]
            assert (issues[state.key].id, assignee.id) in edges
            emails = {i.value for i in identities_of(rig, assignee) if i.kind == "email"}
            assert emails == ({person.email} if email_visible(person) else set())


async def test_people_resolve_with_other_sources_by_a_visible_email(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        zendesk = await rig.connect("zendesk", subdomain="acme")
        jira = await rig.connect("jira")

        await rig.sync(zendesk)
        await rig.sync(jira)

        people = rig.entities("person")
        clusters: dict[Any, set[str]] = {}
        for p in people:
            clusters.setdefault(p.canonical_id, set()).add(p.ref.provider)
        accounts = {f"user:{atlassian_account(p.key)}": p for p in rig.sandbox.dataset.people}
        jira_people = [(p, accounts[p.ref.source_id]) for p in people if p.ref.provider == "jira"]
        merged = [seeded for p, seeded in jira_people if "zendesk" in clusters[p.canonical_id]]
        assert merged
        assert all(email_visible(seeded) for seeded in merged)
        assert any(not email_visible(seeded) for _, seeded in jira_people)


async def test_a_change_after_the_cursor_is_picked_up(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("jira")
        await rig.sync(connection)
        rig.sandbox.clock.advance(timedelta(hours=2))
        at = rig.sandbox.clock.now().replace(microsecond=0)
        rig.sandbox.mutations.change("issue", 3, Change(value="Blocked", at=at, by=1))
        rig.sandbox.clock.advance(timedelta(minutes=2))

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert ("Blocked", at) in history_of(rig, "ENG-4")
        assert cursor_of(rig, connection).updated >= at


async def test_changes_in_the_cursors_minute_are_all_picked_up_once(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("jira")
        await rig.sync(connection)
        cursor = cursor_of(rig, connection).updated
        minute = cursor.replace(second=0, microsecond=0)
        quiet = [s.issue for s in site_issues(rig, minute - timedelta(minutes=1))]
        # At the cursor's very instant, earlier in its minute, and in the minute before (both
        # indexed late): JQL reads minutes, so only a re-read overlap finds them all.
        moments = {quiet[0]: cursor, quiet[1]: minute, quiet[2]: minute - timedelta(seconds=20)}
        for issue, at in moments.items():
            rig.sandbox.mutations.change("issue", issue.key, Change(value="Blocked", at=at, by=1))

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        for issue, at in moments.items():
            assert ("Blocked", at) in history_of(rig, f"ENG-{issue.number}")
        expected = site_issues(rig, horizon(rig))
        assert len(rig.entities("issue")) == len(expected)
        assert len(transitions(rig)) == status_changes(rig, expected)


async def test_a_user_far_west_of_utc_misses_nothing(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        assert rig.sandbox.dataset.person(NEW_YORK_ENGINEER).timezone == "America/New_York"  # type: ignore[union-attr]
        connection = await connect_as(rig, NEW_YORK_ENGINEER)
        await rig.sync(connection)
        rig.sandbox.clock.advance(timedelta(hours=1))
        first = rig.sandbox.clock.now().replace(microsecond=0)
        rig.sandbox.mutations.change("issue", 5, Change(value="Blocked", at=first, by=1))
        rig.sandbox.clock.advance(timedelta(minutes=2))
        await rig.sync(connection)
        # An hour after the cursor: a bound written in UTC is read five hours late in New York.
        rig.sandbox.clock.advance(timedelta(hours=1))
        second = rig.sandbox.clock.now().replace(microsecond=0)
        rig.sandbox.mutations.change("issue", 6, Change(value="Blocked", at=second, by=1))
        rig.sandbox.clock.advance(timedelta(minutes=2))

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert ("Blocked", first) in history_of(rig, "ENG-6")
        assert ("Blocked", second) in history_of(rig, "ENG-7")


async def test_a_deleted_issue_and_its_history_go_at_the_daily_reconciliation(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("jira")
        await rig.sync(connection)
        doomed = issue_entity(rig, "ENG-2")
        assert history_of(rig, "ENG-2")
        rig.sandbox.mutations.delete("issue", 1, rig.sandbox.clock.now())
        rig.sandbox.clock.advance(timedelta(minutes=5))

        await rig.sync(connection)
        still_there = {e.id for e in rig.entities("issue")}
        rig.sandbox.clock.advance(timedelta(hours=24))
        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert doomed.id in still_there  # within the day: the trade-off of a daily listing
        remaining = {e.id for e in rig.entities("issue")}
        assert remaining >= still_there - {doomed.id}
        assert doomed.id not in remaining
        assert not [a for a in rig.activities() if any(o.entity_id == doomed.id for o in a.objects)]


def _expire_the_next_page_token(rig: SyncRig, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The next page token Jira is shown dies just then (7 days old, or the site reindexed)."""
    cursors, expired = rig.sandbox.cursors, []
    resolve = cursors.resolve

    def stale_once(provider: str, kind: str, handle: str) -> tuple[str, Any]:
        if provider == "jira" and not expired:
            expired.append(handle)
            cursors.expire("jira")
        return resolve(provider, kind, handle)

    monkeypatch.setattr(cursors, "resolve", stale_once)
    monkeypatch.setattr(jira_reader, "PAGE", 20)  # windows of several pages
    return expired


async def test_a_refused_page_token_resyncs_the_window_without_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("jira")
        expected = site_issues(rig, horizon(rig))
        expired = _expire_the_next_page_token(rig, monkeypatch)

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert expired
        stored = sorted(e.name or "" for e in rig.entities("issue"))
        assert stored == sorted(s.key for s in expected)
        assert len(transitions(rig)) == status_changes(rig, expected)


async def test_a_restarted_window_is_followed_by_a_reconciliation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("jira")
        await rig.sync(connection)
        doomed = issue_entity(rig, "ENG-2")
        before = {e.id for e in rig.entities("issue")}
        now = rig.sandbox.clock.now().replace(microsecond=0)
        for key in range(2, 32):  # a window of two pages
            rig.sandbox.mutations.touch("issue", key, now + timedelta(seconds=key))
        rig.sandbox.mutations.delete("issue", 1, now)
        rig.sandbox.clock.advance(timedelta(minutes=3))  # every touch a minute before the end
        expired = _expire_the_next_page_token(rig, monkeypatch)

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert expired  # within the day, yet the restart made the pass reconcile
        remaining = {e.id for e in rig.entities("issue")}
        assert remaining >= before - {doomed.id}
        assert doomed.id not in remaining


async def test_a_throttled_search_waits_as_told_then_completes(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("jira")
        expected = site_issues(rig, horizon(rig))
        rule = FaultRule(provider="jira", path="*/search/jql", fault=RateLimit(retry_after=40))
        rig.sandbox.faults.add(rule)
        before = rig.sandbox.clock.now()

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert rig.sandbox.faults.active() == []  # the throttle was met
        assert rig.sandbox.clock.now() - before >= timedelta(seconds=40)
        assert len(rig.entities("issue")) == len(expected)


async def test_a_long_history_is_read_whole_from_the_issue_changelog(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("jira")
        start = rig.sandbox.clock.now().replace(microsecond=0) - timedelta(minutes=50)
        for minute in range(45):
            value = "In Review" if minute % 2 else "In Progress"
            at = start + timedelta(minutes=minute)
            rig.sandbox.mutations.change("issue", 0, Change(value=value, at=at, by=1))

        await rig.sync(connection)

        added = [t for t in history_of(rig, "ENG-1") if t[1] >= start]
        assert len(added) == 45


async def test_no_content_is_stored_or_asked_for(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("jira")
        searches = await watch_searches(rig)

        await rig.sync(connection)

        stored = msgspec.json.encode([rig.entities(), rig.activities()]).decode()
        assert "ATLAS-CANARY-" not in stored
        assert not [c for c in rig.sandbox.dataset.canaries if c in stored]
        asked = {f for query in searches for f in query["fields"].split(",")}
        assert asked
        assert not asked & {"summary", "description", "comment", "attachment", "environment"}
        assert not asked & {"*all", "*navigable"}
