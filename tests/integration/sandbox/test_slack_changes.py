"""Slack as the company changes: deleted messages and channels, tombstones, position cursors,
exact ``ts`` bounds, a refused token."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from adapters.sandbox.faults import FaultRule, Unauthorized
from adapters.sandbox.providers.ids import slack_id
from adapters.sandbox.providers.slack.messages import ts
from adapters.sandbox.seed.model import Message
from tests.factories.sandbox import NOW, Harness, access_token, bearer, connect, running_sandbox

HISTORY = "/slack/api/conversations.history"
REPLIES = "/slack/api/conversations.replies"


async def _auth(h: Harness) -> dict[str, str]:
    return bearer(access_token("slack", await connect(h.client, "slack")))


async def _get(h: Harness, path: str, auth: dict[str, str], **params: Any) -> Any:
    return (await h.client.get(path, params=params, headers=auth)).json()


def _channel_key(h: Harness, name: str) -> int:
    return next(c.key for c in h.sandbox.dataset.channels if c.name == name)


def _threads(h: Harness, channel: int, sizes: range) -> list[tuple[Message, tuple[Message, ...]]]:
    """Past threads of ``channel`` whose visible reply count is in ``sizes``."""
    found = []
    for parent_key, replies in h.sandbox.dataset.replies_by_parent.items():
        parent = h.sandbox.dataset.messages_by_key[parent_key]
        seen = tuple(r for r in replies if r.ts <= NOW)
        if parent.channel == channel and len(seen) in sizes:
            found.append((parent, seen))
    return found


async def test_a_deleted_message_vanishes_and_a_deleted_parent_leaves_a_tombstone() -> None:
    async with running_sandbox() as h:
        auth = await _auth(h)
        deals = _channel_key(h, "deals")
        (lonely_parent, (lonely_reply,)) = _threads(h, deals, range(1, 2))[0]
        (parent, replies) = _threads(h, deals, range(2, 4))[0]
        at = NOW - timedelta(minutes=1)
        h.sandbox.mutations.delete("message", lonely_reply.key, at)
        h.sandbox.mutations.delete("message", parent.key, at)
        channel = slack_id("C", deals)
        history = await _get(h, HISTORY, auth, channel=channel, limit="999")
        thread = await _get(h, REPLIES, auth, channel=channel, ts=ts(parent.ts))
        emptied = await _get(h, REPLIES, auth, channel=channel, ts=ts(lonely_parent.ts))

    by_ts = {m["ts"]: m for m in history["messages"]}
    assert "reply_count" not in by_ts[ts(lonely_parent.ts)]  # its only reply is gone
    assert [m["ts"] for m in emptied["messages"]] == [ts(lonely_parent.ts)]
    tombstone = by_ts[ts(parent.ts)]
    assert tombstone["subtype"] == "tombstone"
    assert tombstone["user"] == "USLACKBOT"
    assert "ATLAS-CANARY" not in tombstone["text"]
    assert tombstone["reply_count"] == len(replies)
    assert [m["ts"] for m in thread["messages"]] == [ts(parent.ts), *(ts(r.ts) for r in replies)]


async def test_a_deleted_channel_is_no_longer_listed_or_readable() -> None:
    async with running_sandbox() as h:
        auth = await _auth(h)
        sales = _channel_key(h, "sales")
        h.sandbox.mutations.delete("channel", sales, NOW - timedelta(hours=1))
        listed = await _get(h, "/slack/api/conversations.list", auth, types="public_channel")
        history = await _get(h, HISTORY, auth, channel=slack_id("C", sales))

    assert "sales" not in {c["name"] for c in listed["channels"]}
    assert history == {"ok": False, "error": "channel_not_found"}


async def test_history_pages_by_position_so_a_deletion_between_pages_skips_nothing() -> None:
    async with running_sandbox() as h:
        auth = await _auth(h)
        general = _channel_key(h, "general")
        channel = slack_id("C", general)
        first = await _get(h, HISTORY, auth, channel=channel, limit="5")
        listed = {m["ts"] for m in first["messages"] if "reply_count" not in m}
        gone = next(
            m
            for m in reversed(h.sandbox.dataset.messages)
            if m.channel == general and m.parent is None and ts(m.ts) in listed
        )
        h.sandbox.mutations.delete("message", gone.key, NOW - timedelta(seconds=1))
        cursor = first["response_metadata"]["next_cursor"]
        second = await _get(h, HISTORY, auth, channel=channel, limit="5", cursor=cursor)
        whole = await _get(h, HISTORY, auth, channel=channel, limit="10")

    assert ts(gone.ts) not in {m["ts"] for m in whole["messages"]}
    assert [m["ts"] for m in second["messages"]] == [m["ts"] for m in whole["messages"][4:9]]


async def test_oldest_and_latest_are_read_exactly_within_one_second() -> None:
    async with running_sandbox() as h:
        auth = await _auth(h)
        general = _channel_key(h, "general")
        per_second = Counter(
            int(m.ts.timestamp())
            for m in h.sandbox.dataset.messages
            if m.channel == general and m.parent is None and m.ts <= NOW
        )
        second, size = per_second.most_common(1)[0]
        burst = sorted(
            ts(m.ts)
            for m in h.sandbox.dataset.messages
            if m.channel == general and m.parent is None and int(m.ts.timestamp()) == second
        )
        between = await _get(
            h, HISTORY, auth, channel=slack_id("C", general), oldest=burst[1], latest=burst[-1]
        )

    assert size >= 5  # the seeded bursts: several messages within one second
    assert sorted(m["ts"] for m in between["messages"]) == burst[2:-1]


async def test_an_unauthorized_fault_answers_invalid_auth_in_a_200() -> None:
    async with running_sandbox() as h:
        auth = await _auth(h)
        h.sandbox.faults.add(
            FaultRule(provider="slack", path="/api/users.list", fault=Unauthorized())
        )
        refused = await h.client.get("/slack/api/users.list", headers=auth)
        again = await h.client.get("/slack/api/users.list", headers=auth)

    assert refused.status_code == 200
    assert refused.json() == {"ok": False, "error": "invalid_auth"}
    assert again.json()["ok"] is True
