"""The Slack normaliser keeps metadata only: what a message, a channel or a person says never
reaches a graph record, because the allow-listed structs never even decode it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from adapters.connectors.slack import normalise
from adapters.connectors.slack.records import ChannelPage, MemberPage, MessagePage

pytestmark = pytest.mark.unit

SOURCE = normalise.Source(scope="conn-1", team="T0", web_base="https://acme.slack.com")
CANARY = "ATLAS-CANARY-unit-0123456789ab"


def _decoded(kind: type[Any], body: dict[str, Any]) -> Any:
    return msgspec.json.decode(msgspec.json.encode({"ok": True, **body}), type=kind)


def _message(**fields: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "user": "U1",
        "text": f"the deal is off {CANARY}",
        "blocks": [{"type": "rich_text", "elements": [{"text": CANARY}]}],
        "files": [{"id": "F1", "name": f"{CANARY}.pdf", "title": CANARY}],
        "attachments": [{"fallback": CANARY, "text": CANARY}],
        "reactions": [{"name": "eyes", "users": ["U2"]}],
        "edited": {"user": "U1", "ts": "1712345700.000000"},
        **fields,
    }


def test_a_message_keeps_no_text_blocks_files_or_attachments() -> None:
    page = _decoded(
        MessagePage,
        {
            "messages": [
                _message(ts="1712345678.000200", reply_count=2, reply_users_count=1,
                         thread_ts="1712345678.000200", latest_reply="1712349999.000100"),
                _message(ts="1712345678.000100", subtype="bot_message", user=None, bot_id="B1"),
            ]
        },
    )  # fmt: skip

    batch, removals = normalise.messages(SOURCE, "C1", page.messages)

    encoded = msgspec.json.encode(batch).decode()
    assert CANARY not in encoded
    assert "the deal is off" not in encoded
    assert removals == ()
    fields = {f.name for f in msgspec.structs.fields(type(page.messages[0]))}
    assert not fields & {"text", "blocks", "files", "attachments", "reactions", "edited"}
    parent, bot = batch.activities
    assert parent.type == bot.type == normalise.POSTED
    assert parent.attributes == {"reply_count": 2, "reply_users_count": 1}
    assert bot.attributes == {"subtype": "bot_message"}
    assert bot.actor is None
    assert parent.actor == SOURCE.ref("user:U1")
    assert parent.occurred_at == datetime(2024, 4, 5, 19, 34, 38, 200, tzinfo=UTC)
    assert parent.source_seq - bot.source_seq == 100  # microseconds apart, in Slack's order
    assert parent.url == "https://acme.slack.com/archives/C1/p1712345678000200"
    thread = next(e for e in batch.entities if e.type == "slack_thread")
    assert thread.ref.source_id == "thread:C1:1712345678.000200"
    assert thread.name is None
    assert {a.name for a in thread.attributes} >= {"reply_count", "latest_reply_at"}


def test_a_reply_is_a_thread_reply_linked_to_its_thread_and_channel() -> None:
    page = _decoded(
        MessagePage,
        {"messages": [_message(ts="1712349999.000100", thread_ts="1712345678.000200")]},
    )

    batch = normalise.replies(SOURCE, "C1", "1712345678.000200", page.messages)

    (reply,) = batch.activities
    assert reply.type == normalise.REPLIED
    assert reply.ref.source_id == "msg:C1:1712345678.000200:1712349999.000100"
    assert {(link.object.source_id, link.qualifier) for link in reply.links} == {
        ("channel:C1", "channel"),
        ("thread:C1:1712345678.000200", "thread"),
    }
    assert reply.url == (
        "https://acme.slack.com/archives/C1/p1712349999000100?thread_ts=1712345678.000200&cid=C1"
    )
    assert CANARY not in msgspec.json.encode(batch).decode()


def test_a_tombstone_removes_its_message_and_keeps_its_thread() -> None:
    tombstone = _message(
        ts="1712345678.000200",
        subtype="tombstone",
        user="USLACKBOT",
        hidden=True,
        thread_ts="1712345678.000200",
        reply_count=1,
        latest_reply="1712349999.000100",
    )
    page = _decoded(MessagePage, {"messages": [tombstone]})

    batch, removals = normalise.messages(SOURCE, "C1", page.messages)

    assert batch.activities == ()
    assert [r.ref.source_id for r in removals] == ["msg:C1:1712345678.000200"]
    assert [r.kind for r in removals] == ["activity"]
    assert [e.type for e in batch.entities if not e.reference] == ["slack_thread"]


def test_a_channel_keeps_its_name_and_flags_never_its_purpose_or_topic() -> None:
    page = _decoded(
        ChannelPage,
        {
            "channels": [
                {
                    "id": "C1",
                    "name": "deals",
                    "created": 1712000000,
                    "is_channel": True,
                    "is_private": False,
                    "is_archived": True,
                    "purpose": {"value": CANARY, "creator": "U1", "last_set": 1},
                    "topic": {"value": CANARY, "creator": "U1", "last_set": 1},
                    "previous_names": [CANARY],
                }
            ]
        },
    )

    batch = normalise.channels(SOURCE, page.channels)

    (channel,) = batch.entities
    assert channel.name == "deals"
    assert channel.url == "https://acme.slack.com/archives/C1"
    assert {a.name: a.value for a in channel.attributes}["is_archived"] is True
    assert CANARY not in msgspec.json.encode(batch).decode()


def test_a_person_resolves_by_email_and_by_slack_user_id() -> None:
    page = _decoded(
        MemberPage,
        {
            "members": [
                {
                    "id": "U1",
                    "team_id": "T0",
                    "real_name": "Maya Okafor",
                    "is_restricted": True,
                    "profile": {
                        "email": "Maya@Northwind.example",
                        "title": CANARY,
                        "status_text": CANARY,
                        "real_name": "Maya Okafor",
                    },
                }
            ]
        },
    )

    batch = normalise.users(SOURCE, page.members)

    (person,) = batch.entities
    assert person.type == "person"
    assert person.name == "Maya Okafor"
    assert {(i.kind, i.value) for i in person.identities} == {
        ("email", "maya@northwind.example"),
        ("user", "slack:T0/U1"),
    }
    assert {a.name: a.value for a in person.attributes}["guest"] is True
    assert CANARY not in msgspec.json.encode(batch).decode()
