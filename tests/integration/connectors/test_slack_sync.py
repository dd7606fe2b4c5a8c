"""Slack through the sync engine against the sandbox: public channels, their messages and
threads, people; incremental per channel, exactly once, deletions mirrored, nothing said kept.
Faults: ``test_slack_sync_faults.py``."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import msgspec
import pytest

from adapters.connectors.slack import history, threads
from adapters.fakes.graph_tables import GraphTables
from adapters.fakes.sync import SyncTables
from adapters.sandbox.providers.ids import slack_id
from adapters.sandbox.providers.slack.messages import ts
from adapters.sandbox.seed.model import Message
from domain.graph.model import Identity
from domain.sync.run import RunStatus
from tests.factories.slack_rig import fetched, new_records, slack_activities, stored_ids
from tests.factories.slack_sandbox import (
    expected_ids,
    future_burst,
    live,
    parents,
    public_channels,
    replies,
    source_id,
)
from tests.factories.sync_rig import SyncRig, sync_rig

PUBLIC = {"general", "sales", "deals", "support", "engineering"}


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of three messages: page boundaries fall everywhere, inside bursts too."""
    monkeypatch.setattr(history, "HISTORY_PAGE", 3)
    monkeypatch.setattr(threads, "REPLIES_PAGE", 2)


async def test_first_sync_brings_public_channels_messages_replies_and_people(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("slack")

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert {c.name for c in rig.entities("channel")} == PUBLIC
        assert stored_ids(rig) == expected_ids(rig.sandbox)
        assert len(rig.activities("Message posted")) > 300
        assert len(rig.activities("Thread reply")) > 300
        private = [slack_id("C", c.key) for c in rig.sandbox.dataset.channels if c.private]
        refs = [e.ref.source_id for e in rig.entities()] + list(stored_ids(rig))
        assert not [r for r in refs for c in private if c in r]  # private channels never read
        public = {f"messages:{slack_id('C', c.key)}" for c in public_channels(rig.sandbox)}
        assert {s.stream for s in run.streams} == {"users", "channels", *public}
        people = {e.id: e for e in rig.entities("person")}
        assert all(a.actor_id in people for a in rig.activities() if a.ref.provider == "slack")
        threads_ = {e.id for e in rig.entities("slack_thread")}
        assert all(
            {o.qualifier for o in a.objects} == {"channel", "thread"}
            and any(o.entity_id in threads_ for o in a.objects)
            for a in rig.activities("Thread reply")
        )


async def test_people_resolve_by_email_with_the_same_people_in_zendesk(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        await rig.sync(await rig.connect("slack"))
        await rig.sync(await rig.connect("zendesk", subdomain="acme"))

        graph = rig.store.tables.of(GraphTables)
        merged = 0
        for member in rig.sandbox.dataset.slack_members:
            held = graph.keys.get((rig.actor.tenant_id, Identity(kind="email", value=member.email)))
            entities = [graph.entities[(rig.actor.tenant_id, i)] for i in held or ()]
            by_provider = {e.ref.provider: e.canonical_id for e in entities}
            assert "slack" in by_provider, member.email
            merged += by_provider.get("zendesk") == by_provider["slack"]
        assert merged >= 30  # every employee is a Zendesk user too: one person each


async def test_a_later_sync_picks_up_new_messages_and_a_new_reply_to_an_old_thread(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        parent, reply = _thread_to_revive(rig)
        # The first sync runs between the thread's first two replies.
        rig.sandbox.clock.advance(reply.ts - timedelta(minutes=2) - rig.sandbox.clock.now())
        connection = await rig.connect("slack")
        first = await rig.sync(connection)
        known = stored_ids(rig)

        rig.sandbox.clock.advance(timedelta(hours=6))
        second = await rig.sync(connection)

        assert second.status is RunStatus.SUCCEEDED, second
        assert source_id(rig.sandbox, parent) in known
        assert source_id(rig.sandbox, reply) not in known
        assert source_id(rig.sandbox, reply) in stored_ids(rig)
        assert stored_ids(rig) == expected_ids(rig.sandbox)
        assert new_records(second) >= len(stored_ids(rig) - known)  # threads are new too
        assert len(rig.activities("Message posted")) > sum(
            1 for a in known if a.count(":") == 2
        )  # new messages were posted too
        posted = next(
            a for a in rig.activities() if a.ref.source_id == source_id(rig.sandbox, parent)
        )
        now = rig.sandbox.clock.now()
        assert posted.attributes["reply_count"] == len(replies(rig.sandbox, parent, now)) > 1
        assert fetched(second) < fetched(first) / 4  # a day's window, not the whole history


def _thread_to_revive(rig: SyncRig) -> tuple[Message, Message]:
    """A thread still to come in a public channel whose second reply follows the first by
    more than five minutes: its parent and that second reply."""
    now = rig.sandbox.clock.now()
    public = {c.key for c in public_channels(rig.sandbox)}
    for parent_key, thread in rig.sandbox.dataset.replies_by_parent.items():
        parent = rig.sandbox.dataset.messages_by_key[parent_key]
        ahead = parent.channel in public and parent.ts > now and len(thread) >= 2
        if ahead and thread[1].ts - thread[0].ts > timedelta(minutes=5):
            return parent, thread[1]
    raise AssertionError("the seed has no such thread ahead")


async def test_messages_within_one_second_are_neither_skipped_nor_repeated(
    tmp_path: Path, small_pages: None
) -> None:
    async with sync_rig(tmp_path) as rig:
        burst = future_burst(rig.sandbox, rig.sandbox.clock.now() + timedelta(minutes=2))
        second = burst[0].ts.replace(microsecond=0)
        # The first sync's window ends right at the burst's second (latest = now - 60 s).
        rig.sandbox.clock.advance(second + timedelta(seconds=60.5) - rig.sandbox.clock.now())
        connection = await rig.connect("slack")

        first = await rig.sync(connection)
        without = stored_ids(rig)
        rig.sandbox.clock.advance(timedelta(minutes=2))
        after = await rig.sync(connection)
        digest = await rig.digest()
        again = await rig.sync(connection)

        ids = {source_id(rig.sandbox, m) for m in burst}
        assert first.status is after.status is again.status is RunStatus.SUCCEEDED
        assert not ids & without
        assert ids <= stored_ids(rig)
        assert stored_ids(rig) == expected_ids(rig.sandbox)
        assert slack_activities(rig) == len(expected_ids(rig.sandbox))
        assert new_records(after) >= len(stored_ids(rig) - without) >= len(ids)
        assert new_records(again) == 0
        assert await rig.digest() == digest


async def test_deleted_messages_disappear_at_the_next_reconciliation(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        recent = _lonely_parent_ahead(rig)
        rig.sandbox.clock.advance(recent.ts + timedelta(hours=2) - rig.sandbox.clock.now())
        olds = _old_messages(rig, rig.sandbox.clock.now() - timedelta(days=2))
        connection = await rig.connect("slack")
        await rig.sync(connection)
        doomed = [recent, *olds]
        stored = stored_ids(rig)
        for m in doomed:
            rig.sandbox.mutations.delete("message", m.key, rig.sandbox.clock.now())

        rig.sandbox.clock.advance(timedelta(hours=1))
        soon = await rig.sync(connection)
        kept_for_now = stored_ids(rig)
        rig.sandbox.clock.advance(timedelta(hours=24))
        reconciled = await rig.sync(connection)

        ids = [source_id(rig.sandbox, m) for m in doomed]
        now = rig.sandbox.clock.now()
        assert all(i in stored for i in ids)
        # Within the day-long window at once; older ones wait for the daily reconciliation.
        assert ids[0] not in kept_for_now
        assert set(ids[1:]) <= kept_for_now
        assert not set(ids) & stored_ids(rig)
        assert stored_ids(rig) == expected_ids(rig.sandbox)
        tombstoned = olds[-1]
        survivors = {source_id(rig.sandbox, r) for r in replies(rig.sandbox, tombstoned, now)}
        assert survivors
        assert survivors <= stored_ids(rig)  # a deleted parent's thread lives on
        emptied = rig.sandbox.dataset.messages_by_key[olds[2].parent or 0]
        assert source_id(rig.sandbox, emptied) in stored_ids(rig)
        assert not [t for t in rig.entities("slack_thread") if ts(emptied.ts) in t.ref.source_id]
        assert sum(s.records_deleted for s in soon.streams) >= 1
        assert sum(s.records_deleted for s in reconciled.streams) >= 4


def _lonely_parent_ahead(rig: SyncRig) -> Message:
    """A public message still to come that never gets a reply."""
    now = rig.sandbox.clock.now()
    public = {c.key for c in public_channels(rig.sandbox)}
    threads_ = rig.sandbox.dataset.replies_by_parent
    return next(
        m
        for m in rig.sandbox.dataset.messages
        if m.parent is None and m.channel in public and m.ts > now and m.key not in threads_
    )


def _old_messages(rig: SyncRig, before: datetime) -> list[Message]:
    """Posted before ``before``: a message without replies, a reply of a thread that keeps
    others, the only reply of a thread, and a parent whose thread has replies."""
    olds = [m for m in parents(rig.sandbox, before) if live(rig.sandbox, m, before)]
    threads_ = rig.sandbox.dataset.replies_by_parent
    lonely = next(m for m in olds if m.key not in threads_)
    by_size: dict[int, list[Message]] = {}
    for m in olds:
        by_size.setdefault(len(replies(rig.sandbox, m, before)), []).append(m)
    many = [m for size, group in by_size.items() if size >= 2 for m in group]
    only = replies(rig.sandbox, by_size[1][0], before)[0]
    return [lonely, replies(rig.sandbox, many[0], before)[0], only, many[1]]


async def test_a_deleted_channel_goes_with_its_messages_and_threads(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("slack")
        await rig.sync(connection)
        sales = next(c for c in rig.sandbox.dataset.channels if c.name == "sales")
        channel = slack_id("C", sales.key)
        assert any(channel in i for i in stored_ids(rig))

        rig.sandbox.mutations.delete("channel", sales.key, rig.sandbox.clock.now())
        rig.sandbox.clock.advance(timedelta(minutes=1))
        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert {c.name for c in rig.entities("channel")} == PUBLIC - {"sales"}
        assert not [i for i in stored_ids(rig) if channel in i]
        assert not [t for t in rig.entities("slack_thread") if channel in t.ref.source_id]
        assert stored_ids(rig) == expected_ids(rig.sandbox)
        assert f"messages:{channel}" not in {s.stream for s in run.streams}


async def test_no_content_is_stored(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("slack")
        await rig.sync(connection)
        rig.sandbox.clock.advance(timedelta(hours=30))  # new messages, replies, a reconciliation
        await rig.sync(connection)

        graph = rig.store.tables.of(GraphTables)
        sync = rig.store.tables.of(SyncTables)
        stored = msgspec.json.encode(
            [
                list(graph.entities.values()),
                list(graph.activities.values()),
                list(graph.relationships),
                [i for _, i in graph.keys],
                list(graph.types.values()),
                [c for _, c in sync.checkpoints.values()],
            ]
        ).decode()
        canaries = rig.sandbox.dataset.canaries
        read = [c for c in canaries if "message-text" in c or "channel-" in c]
        assert len(stored) > 100_000
        assert len(read) > 1000
        assert "ATLAS-CANARY" not in stored
        assert not [c for c in canaries if c in stored]
