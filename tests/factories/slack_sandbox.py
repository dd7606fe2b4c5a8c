"""What the sandbox's Slack holds at a moment, as the Slack connector's source ids: the
expectation a complete sync is held to."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from adapters.sandbox.providers.ids import slack_id
from adapters.sandbox.providers.slack.messages import ts
from adapters.sandbox.sandbox import Sandbox
from adapters.sandbox.seed.model import Channel, Message

LAG = timedelta(seconds=60)  # the connector reads history up to a minute before Slack's clock


def public_channels(sandbox: Sandbox, now: datetime | None = None) -> list[Channel]:
    now = now or sandbox.clock.now()
    return [
        c
        for c in sandbox.dataset.channels
        if not c.private and sandbox.mutations.deleted_at("channel", c.key, now) is None
    ]


def live(sandbox: Sandbox, m: Message, now: datetime) -> bool:
    return m.ts <= now and sandbox.mutations.deleted_at("message", m.key, now) is None


def replies(sandbox: Sandbox, parent: Message, now: datetime) -> list[Message]:
    thread = sandbox.dataset.replies_by_parent.get(parent.key, ())
    return [r for r in thread if live(sandbox, r, now)]


def source_id(sandbox: Sandbox, m: Message) -> str:
    channel = slack_id("C", m.channel)
    if m.parent is None:
        return f"msg:{channel}:{ts(m.ts)}"
    parent = sandbox.dataset.messages_by_key[m.parent]
    return f"msg:{channel}:{ts(parent.ts)}:{ts(m.ts)}"


def parents(sandbox: Sandbox, now: datetime) -> Iterator[Message]:
    """Public parents a sync at ``now`` lists: posted before ``now`` minus the lag."""
    hi = now.replace(microsecond=0) - LAG  # Slack's Date header counts whole seconds
    public = {c.key for c in public_channels(sandbox, now)}
    for m in sandbox.dataset.messages:
        if m.parent is None and m.channel in public and m.ts < hi:
            yield m


def expected_ids(sandbox: Sandbox, now: datetime | None = None) -> set[str]:
    """Source ids of what a complete sync at ``now`` stores: live parents and their threads'
    replies (a deleted parent whose thread lives on leaves only its replies)."""
    now = now or sandbox.clock.now()
    ids = set()
    for parent in parents(sandbox, now):
        if live(sandbox, parent, now):
            ids.add(source_id(sandbox, parent))
        ids |= {source_id(sandbox, r) for r in replies(sandbox, parent, now)}
    return ids


def future_burst(sandbox: Sandbox, after: datetime) -> list[Message]:
    """The next seeded burst in #general after ``after``: messages sharing one second."""
    general = next(c.key for c in sandbox.dataset.channels if c.name == "general")
    by_second: dict[int, list[Message]] = {}
    for m in sandbox.dataset.messages:
        if m.channel == general and m.parent is None and m.ts > after:
            by_second.setdefault(int(m.ts.timestamp()), []).append(m)
    return next(group for _, group in sorted(by_second.items()) if len(group) >= 5)
