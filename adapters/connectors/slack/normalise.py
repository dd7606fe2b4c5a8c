"""Slack records into graph records: pure functions over the allow-listed structs.

A public channel is a ``channel`` entity named as in Slack; a message is a ``"Message posted"``
(a thread reply a ``"Thread reply"``) activity of its author, linked to its channel and, when
threaded, to its ``slack_thread`` (keyed by channel and the parent's ``ts``), with its subtype
and reply counts; never its text, blocks, files or attachments, nor a channel's purpose or
topic. People resolve across sources by email and by their Slack user id.

Source ids: ``channel:<id>``, ``user:<id>``, ``thread:<channel>:<thread ts>``, and for
messages ``msg:<channel>:<ts>`` or, for a reply, ``msg:<channel>:<thread ts>:<ts>``: the
channel's prefix selects all its messages, the thread's prefix its replies, so what the graph
holds of a thread is known from ids alone (``known.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import msgspec

from adapters.connectors.slack import stamps
from adapters.connectors.slack.records import Channel, Member, Message
from domain.graph.model import (
    ActivityRecord,
    EntityAttribute,
    EntityRecord,
    GraphBatch,
    Identity,
    Link,
    RelationshipRecord,
    Removal,
    SourceRef,
)

PROVIDER = "slack"
POSTED = "Message posted"
REPLIED = "Thread reply"
TOMBSTONE = "tombstone"  # a deleted parent kept for its replies: not a message anyone posted
EVENTS = {"channel_join": "Channel joined", "channel_leave": "Channel left"}

Attributes = dict[str, str | int | float | bool | None]


class Source(msgspec.Struct, frozen=True, kw_only=True):
    """What the normaliser knows of the connection: the scope its ids are unique within, the
    workspace (team id) its people belong to, and where the workspace lives on the web."""

    scope: str
    team: str
    web_base: str  # https://<domain>.slack.com (auth.test's url)

    def ref(self, source_id: str) -> SourceRef:
        return SourceRef(provider=PROVIDER, scope=self.scope, source_id=source_id)

    def channel(self, channel: str) -> SourceRef:
        return self.ref(f"channel:{channel}")

    def thread(self, channel: str, thread_ts: str) -> SourceRef:
        return self.ref(f"thread:{channel}:{thread_ts}")

    def message(self, channel: str, ts: str, thread_ts: str | None = None) -> SourceRef:
        return self.ref(message_id(channel, ts, thread_ts))

    def user_identity(self, user: str) -> Identity:
        return Identity(kind="user", value=f"{PROVIDER}:{self.team}/{user}")

    def person(self, user: str) -> EntityRecord:
        """A mention of a Slack user (the user listing brings the record itself)."""
        return EntityRecord(
            ref=self.ref(f"user:{user}"),
            type="person",
            identities=(self.user_identity(user),),
            url=self.profile(user),
            reference=True,
        )

    def profile(self, user: str) -> str:
        return f"{self.web_base}/team/{user}"

    def link(self, channel: str, ts: str, thread_ts: str | None = None) -> str:
        url = f"{self.web_base}/archives/{channel}/p{stamps.compact(ts)}"
        return f"{url}?thread_ts={thread_ts}&cid={channel}" if thread_ts else url


def message_id(channel: str, ts: str, thread_ts: str | None = None) -> str:
    if thread_ts is None or thread_ts == ts:
        return f"msg:{channel}:{ts}"
    return f"msg:{channel}:{thread_ts}:{ts}"


def is_reply(m: Message) -> bool:
    return m.thread_ts is not None and m.thread_ts != m.ts


def users(source: Source, members: Iterable[Member]) -> GraphBatch:
    entities = []
    for member in members:
        identities = [source.user_identity(member.id)]
        if member.profile.email:
            identities.append(Identity(kind="email", value=member.profile.email.strip().lower()))
        values: Attributes = {
            "deleted": member.deleted,
            "is_bot": member.is_bot,
            "guest": member.is_restricted,
        }
        entities.append(
            EntityRecord(
                ref=source.ref(f"user:{member.id}"),
                type="person",
                name=member.real_name or member.profile.real_name or None,
                attributes=_attributes(values),
                identities=tuple(identities),
                url=source.profile(member.id),
            )
        )
    return GraphBatch(entities=tuple(entities))


def channels(source: Source, items: Iterable[Channel]) -> GraphBatch:
    entities = [
        EntityRecord(
            ref=source.channel(c.id),
            type="channel",
            name=c.name,
            attributes=_attributes(
                {
                    "is_private": c.is_private,
                    "is_archived": c.is_archived,
                    "is_general": c.is_general,
                    "is_shared": c.is_shared,
                    "is_ext_shared": c.is_ext_shared,
                    "created_at": _iso(stamps.created(c.created)),
                }
            ),
            url=f"{source.web_base}/archives/{c.id}",
        )
        for c in items
    ]
    return GraphBatch(entities=tuple(entities))


def messages(
    source: Source, channel: str, items: Iterable[Message]
) -> tuple[GraphBatch, tuple[Removal, ...]]:
    """Messages as history lists them: parents (with their threads' counts), broadcast
    replies, and tombstones, whose activity goes while their thread stays."""
    batch = _Batch(source, channel)
    removals = []
    for m in items:
        if m.subtype == TOMBSTONE:
            removals.append(Removal(ref=source.message(channel, m.ts), kind="activity"))
        else:
            batch.activity(m)
        if not is_reply(m) and m.reply_count > 0:
            batch.thread(m)
    return batch.build(), tuple(removals)


def replies(source: Source, channel: str, thread_ts: str, items: Iterable[Message]) -> GraphBatch:
    batch = _Batch(source, channel)
    batch.mention(source.thread(channel, thread_ts), "slack_thread")
    for m in items:
        if m.subtype != TOMBSTONE:
            batch.activity(msgspec.structs.replace(m, thread_ts=thread_ts))
    return batch.build()


class _Batch:
    """One page's records; mentions (people, the channel, threads) once each."""

    def __init__(self, source: Source, channel: str) -> None:
        self._source, self._channel = source, channel
        self._entities: dict[SourceRef, EntityRecord] = {}
        self._relationships: list[RelationshipRecord] = []
        self._activities: list[ActivityRecord] = []
        self.mention(source.channel(channel), "channel")

    def mention(self, ref: SourceRef, kind: str) -> None:
        self._entities.setdefault(ref, EntityRecord(ref=ref, type=kind, reference=True))

    def activity(self, m: Message) -> None:
        source, channel = self._source, self._channel
        reply = is_reply(m)
        thread_ts = m.thread_ts if reply or m.reply_count > 0 else None
        links = [Link(object=source.channel(channel), qualifier="channel")]
        if thread_ts is not None:
            self.mention(source.thread(channel, thread_ts), "slack_thread")
            links.append(Link(object=source.thread(channel, thread_ts), qualifier="thread"))
        actor = None
        if m.user:
            person = source.person(m.user)
            self._entities.setdefault(person.ref, person)
            actor = person.ref
        values: Attributes = {"subtype": m.subtype}
        if not reply and m.reply_count > 0:
            values |= {"reply_count": m.reply_count, "reply_users_count": m.reply_users_count}
        self._activities.append(
            ActivityRecord(
                ref=source.message(channel, m.ts, m.thread_ts if reply else None),
                type=REPLIED if reply else EVENTS.get(m.subtype or "", POSTED),
                occurred_at=stamps.moment(m.ts),
                source_seq=stamps.seq(m.ts),
                actor=actor,
                attributes={k: v for k, v in values.items() if v is not None},
                links=tuple(links),
                url=source.link(channel, m.ts, m.thread_ts if reply else None),
            )
        )

    def thread(self, parent: Message) -> None:
        source, channel = self._source, self._channel
        ref = source.thread(channel, parent.ts)
        latest = parent.latest_reply
        values: Attributes = {
            "started_at": stamps.moment(parent.ts).isoformat(),
            "reply_count": parent.reply_count,
            "reply_users_count": parent.reply_users_count,
            "latest_reply_at": stamps.moment(latest).isoformat() if latest else None,
        }
        self._entities[ref] = EntityRecord(
            ref=ref,
            type="slack_thread",
            attributes=_attributes(values),
            url=source.link(channel, parent.ts),
        )
        target = source.channel(channel)
        self._relationships.append(
            RelationshipRecord(source=ref, target=target, qualifier="channel")
        )

    def build(self) -> GraphBatch:
        return GraphBatch(
            entities=tuple(self._entities.values()),
            relationships=tuple(self._relationships),
            activities=tuple(self._activities),
        )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _attributes(values: Attributes) -> tuple[EntityAttribute, ...]:
    return tuple(
        EntityAttribute(name=name, value=value)
        for name, value in values.items()
        if value is not None
    )
