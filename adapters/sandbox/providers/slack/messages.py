"""Slack messages as of the sandbox clock: ``ts`` values, threads, deletions and tombstones.

A message is visible once the clock reaches its ``ts`` and until the overlay deletes it
(``mutations.delete("message", key)``). Deleting a thread's parent that still has replies
leaves a tombstone in its place, as Slack does ("This message was deleted."), so the replies
stay reachable; a deleted reply simply vanishes and the parent's counts drop.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.sandbox.providers.ids import slack_id
from adapters.sandbox.providers.slack.profile import TEAM_ID
from adapters.sandbox.sandbox import Sandbox
from adapters.sandbox.seed.model import Channel, Message

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SLACKBOT = "USLACKBOT"
_TS = re.compile(r"^(\d{1,12})(?:\.(\d{1,6}))?$")


def ts(moment: datetime) -> str:
    return f"{int(moment.timestamp())}.{moment.microsecond:06d}"


def parse_ts(raw: str) -> datetime | None:
    """A ``ts`` (or whole seconds) exactly: floats would round the microseconds of today's
    ten-digit seconds, and two messages of one second differ only there."""
    match = _TS.match(raw.strip())
    if match is None:
        return None
    seconds, fraction = match.group(1), match.group(2) or ""
    return EPOCH + timedelta(seconds=int(seconds), microseconds=int(fraction.ljust(6, "0")))


def channel_gone(sandbox: Sandbox, channel: Channel, now: datetime) -> bool:
    return sandbox.mutations.deleted_at("channel", channel.key, now) is not None


def live(sandbox: Sandbox, m: Message, now: datetime) -> bool:
    return m.ts <= now and sandbox.mutations.deleted_at("message", m.key, now) is None


def replies(sandbox: Sandbox, parent: Message, now: datetime) -> list[Message]:
    return [
        r for r in sandbox.dataset.replies_by_parent.get(parent.key, ()) if live(sandbox, r, now)
    ]


def top_level(sandbox: Sandbox, channel: Channel, now: datetime) -> list[Message]:
    """The channel's parents as history lists them: live ones, and tombstones of deleted
    parents whose threads still have replies."""
    return [
        m
        for m in sandbox.dataset.messages
        if m.channel == channel.key
        and m.parent is None
        and m.ts <= now
        and (live(sandbox, m, now) or replies(sandbox, m, now))
    ]


def render(sandbox: Sandbox, m: Message, now: datetime) -> dict[str, Any]:
    if m.parent is not None:
        parent = sandbox.dataset.messages_by_key[m.parent]
        return {
            **_plain(m),
            "thread_ts": ts(parent.ts),
            "parent_user_id": slack_id("U", parent.user),
        }
    out = _plain(m) if live(sandbox, m, now) else _tombstone(m)
    thread = replies(sandbox, m, now)
    if thread:
        out.update(
            thread_ts=ts(m.ts),
            reply_count=len(thread),
            reply_users_count=len({r.user for r in thread}),
            latest_reply=ts(thread[-1].ts),
            reply_users=sorted({slack_id("U", r.user) for r in thread}),
        )
    return out


def _plain(m: Message) -> dict[str, Any]:
    return {"type": "message", "user": slack_id("U", m.user), "text": m.text, "ts": ts(m.ts),
            "team": TEAM_ID}  # fmt: skip


def _tombstone(m: Message) -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "tombstone",
        "text": "This message was deleted.",
        "user": SLACKBOT,
        "hidden": True,
        "ts": ts(m.ts),
    }
