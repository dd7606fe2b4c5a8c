"""Content is recognised however a source spells it; the metadata of real logs is kept."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.graph.catalog import AttributeDeclaration, TypeDeclaration, observed_types
from domain.graph.content import is_content, metadata_only
from domain.graph.model import EntityAttribute, EntityRecord, GraphBatch
from tests.factories.content_fields import content_fields
from tests.factories.event_logs import shared_data
from tests.factories.graph import ref

CONTENT_NAMES = [
    "subject", "Subject", "SUBJECT", "email:subject", "email_subject", "email-subject",
    "email.subject", "subjectLine", "SubjectLine", "subject_line", "emailsubject", "body",
    "Body", "body_html", "bodyHtml", "HTMLBody", "messagebody", "message", "message.text",
    "text", "plainText", "snippet", "description", "Description", "desc", "comment",
    "comments", "lastComment", "summary", "title", "meetingTitle", "note", "notes",
    "attachment", "attachments", "attachment_name", "raw", "raw_payload", "payload",
    "content", "html", "transcript", "preview", "ticket:description", "Issue.Summary",
    "task/Subject", "event title", "sub\u200bject", "emailSubject2",
    "\uff53\uff55\uff42\uff4a\uff45\uff43\uff54",  # fullwidth
]  # fmt: skip

METADATA_NAMES = [
    "status", "stage", "labels", "priority", "amount", "currency", "concept:name",
    "lifecycle:transition", "org:resource", "time:timestamp", "context", "notebook",
    "withdrawal", "entitlement", "message_id", "messageId", "attachment_count", "body_size",
    "content_type", "Content-Type", "thread_id", "",
]  # fmt: skip


@pytest.mark.parametrize("name", CONTENT_NAMES)
def test_content_is_recognised_however_it_is_spelled(name: str) -> None:
    assert is_content(name)


@pytest.mark.parametrize("name", content_fields())
def test_every_content_field_the_providers_document_is_content(name: str) -> None:
    assert is_content(name)


@pytest.mark.parametrize("name", METADATA_NAMES)
def test_metadata_is_kept(name: str) -> None:
    assert not is_content(name)


def _xes_keys(name: str) -> set[str]:
    text = gzip.decompress((shared_data() / name).read_bytes()).decode()
    return set(re.findall(r'key="([^"]*)"', text))


def test_the_attribute_names_of_the_shared_logs_are_all_metadata() -> None:
    ocel = json.loads((shared_data() / "ocel20_example.jsonocel").read_bytes())
    declared = {
        a["name"] for t in ocel["objectTypes"] + ocel["eventTypes"] for a in t["attributes"]
    }
    used = {
        a["name"] for item in ocel["objects"] + ocel["events"] for a in item.get("attributes", [])
    }
    xes = _xes_keys("helpdesk.xes.gz") | {
        "concept:name",
        "lifecycle:transition",
        "org:resource",
        "time:timestamp",
        "REG_DATE",
        "AMOUNT_REQ",
    }  # fmt: skip (BPIC 2012's keys: reading the whole file here would take seconds)

    assert declared
    assert used
    assert [n for n in sorted(declared | used | xes) if is_content(n)] == []


_SEPARATOR = st.sampled_from([":", ".", "_", "-", "/", " "])
_WORD = st.from_regex(r"[a-z]{1,8}", fullmatch=True)


@given(
    before=st.lists(_WORD, max_size=2),
    word=st.sampled_from(content_fields()),
    after=st.lists(
        _WORD.filter(lambda w: w not in {"id", "ids", "count", "length", "size", "type"}),
        max_size=2,
    ),
    separator=_SEPARATOR,
    upper=st.booleans(),
)
def test_a_content_word_anywhere_in_a_name_makes_it_content(
    before: list[str], word: str, after: list[str], separator: str, upper: bool
) -> None:
    name = separator.join([*before, word.upper() if upper else word, *after])

    assert is_content(name)


def test_declared_and_observed_types_leave_content_names_out() -> None:
    declared = TypeDeclaration(
        kind="object",
        name="mail",
        attributes=(
            AttributeDeclaration(name="body", type="string"),
            AttributeDeclaration(name="folder", type="string"),
            AttributeDeclaration(name="subjectLine", type="string"),
        ),
    )
    record = EntityRecord(
        ref=ref("m1"),
        type="ticket",
        attributes=(
            EntityAttribute(name="description", value="x"),
            EntityAttribute(name="state", value="open"),
        ),
    )

    found = observed_types(GraphBatch(types=(declared,), entities=(record,)))

    names = {(d.name, a.name) for d in found for a in d.attributes}
    assert names == {("mail", "folder"), ("ticket", "state")}


def test_activity_attributes_lose_only_their_content() -> None:
    kept, dropped = metadata_only({"email_subject": "s", "description": "d", "labels": "inbox"})

    assert (kept, dropped) == ({"labels": "inbox"}, 2)
