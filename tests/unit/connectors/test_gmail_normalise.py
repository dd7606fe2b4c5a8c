"""Gmail's normaliser keeps an allow-list of metadata: never a subject, snippet or body."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from adapters.connectors.api import ApiResponse
from adapters.connectors.gmail import normalise
from adapters.connectors.gmail.reader import METADATA
from adapters.connectors.gmail.records import History, Message
from domain.graph.model import Removal

MAILBOX = normalise.Mailbox(scope="conn-1", owner="maya@northwind.example")


def _message(**overrides: Any) -> Message:
    """A message as ``messages.get?format=metadata`` answers, content fields included."""
    body: dict[str, Any] = {
        "id": "18c2f0a1b2c3d4e5",
        "threadId": "18c2f0a1b2c3d000",
        "labelIds": ["INBOX", "UNREAD", "IMPORTANT"],
        "snippet": "SECRET-SNIPPET of the body",
        "historyId": "4001234",
        "internalDate": "1767607200000",
        "sizeEstimate": 4096,
        "raw": "U0VDUkVULVJBVw==",
        "payload": {
            "mimeType": "multipart/alternative",
            "filename": "SECRET-FILENAME.pdf",
            "body": {"size": 12, "data": "U0VDUkVULUJPRFk="},
            "headers": [
                {"name": "From", "value": '"Ada Lovelace" <Ada@Initech.example>'},
                {"name": "To", "value": "maya@northwind.example, bob@gmail.com"},
                {"name": "Cc", "value": "Cy <cy@northwind.example>"},
                {"name": "Subject", "value": "SECRET-SUBJECT: the merger"},
                {"name": "Date", "value": "Mon, 05 Jan 2026 10:00:00 +0000"},
                {"name": "Message-ID", "value": "<abc.1@mail.initech.example>"},
            ],
        },
    }
    body.update(overrides)
    return ApiResponse(status=200, headers={}, content=msgspec.json.encode(body)).decode(Message)


def test_a_message_keeps_its_metadata_and_nothing_of_its_content() -> None:
    batch, removals = normalise.messages(MAILBOX, [_message()])

    stored = msgspec.json.encode(batch).decode()
    assert "SECRET" not in stored
    assert removals == ()
    (activity,) = batch.activities
    assert activity.attributes == {
        "labels": "IMPORTANT,INBOX",  # UNREAD flips on every read: not kept
        "message_id": "<abc.1@mail.initech.example>",
        "date_header": "2026-01-05T10:00:00+00:00",
        "to_count": 2,
        "cc_count": 1,
    }
    assert not {"snippet", "raw", "payload_body", "subject"} & set(Message.__struct_fields__)


def test_a_received_message_links_its_thread_people_and_their_companies() -> None:
    batch, _ = normalise.messages(MAILBOX, [_message()])

    (activity,) = batch.activities
    assert activity.type == "Email received"
    assert activity.occurred_at == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    assert activity.actor is not None
    assert activity.actor.source_id == "email:ada@initech.example"
    assert activity.url == "https://mail.google.com/mail/u/0/#all/18c2f0a1b2c3d4e5"
    assert [(link.object.source_id, link.qualifier) for link in activity.links] == [
        ("thread:18c2f0a1b2c3d000", "thread"),
        ("email:ada@initech.example", "from"),
        ("email:maya@northwind.example", "to"),
        ("email:bob@gmail.com", "to"),
        ("email:cy@northwind.example", "cc"),
        ("domain:initech.example", "company"),  # not gmail.com, not the owner's own domain
    ]
    kinds = {(e.ref.source_id, e.type, e.reference, e.name) for e in batch.entities}
    assert ("thread:18c2f0a1b2c3d000", "email_thread", False, None) in kinds
    assert ("email:ada@initech.example", "person", True, "Ada Lovelace") in kinds
    assert ("domain:initech.example", "company", True, None) in kinds


def test_a_message_from_the_owner_is_sent() -> None:
    headers = [{"name": "From", "value": "Maya <MAYA@northwind.example>"}]
    batch, _ = normalise.messages(
        MAILBOX, [_message(labelIds=["SENT"], payload={"headers": headers})]
    )

    assert [a.type for a in batch.activities] == ["Email sent"]


def test_trash_spam_and_drafts_are_not_mail_of_the_mailbox() -> None:
    items = [_message(id=str(i), labelIds=[label]) for i, label in enumerate(normalise.NOT_MAIL)]

    batch, removals = normalise.messages(MAILBOX, items)

    assert batch.activities == ()
    assert {r.ref.source_id for r in removals} == {"message:0", "message:1", "message:2"}
    assert all(isinstance(r, Removal) and r.kind == "activity" for r in removals)


def test_history_asks_to_read_again_what_changed_and_the_last_word_wins() -> None:
    records = msgspec.convert(
        [
            {"id": "1", "messagesAdded": [{"message": {"id": "a"}}, {"message": {"id": "b"}}]},
            {"id": "2", "labelsRemoved": [{"message": {"id": "c"}, "labelIds": ["UNREAD"]}]},
            {"id": "3", "labelsAdded": [{"message": {"id": "d"}, "labelIds": ["TRASH"]}]},
            {"id": "4", "messagesDeleted": [{"message": {"id": "b"}}]},
            {"id": "5", "labelsRemoved": [{"message": {"id": "b"}, "labelIds": ["INBOX"]}]},
        ],
        list[History],
    )

    fetch, remove = normalise.changes(records)

    assert fetch == ["a", "d"]  # c only flipped UNREAD: nothing kept changed
    assert remove == ["b"]


def test_the_metadata_request_names_the_kept_headers_and_never_the_subject() -> None:
    assert ("format", "metadata") in METADATA
    headers = [value for name, value in METADATA if name == "metadataHeaders"]
    assert headers == ["From", "To", "Cc", "Date", "Message-ID"]
