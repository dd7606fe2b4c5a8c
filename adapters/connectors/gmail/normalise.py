"""Gmail messages into graph records: pure functions over the allow-listed structs.

A message is one activity, ``Email sent`` when the mailbox owner wrote it and ``Email received``
otherwise, at its ``internalDate``, done by its sender, linked to its thread (an
``email_thread`` without a name), to the people on From/To/Cc (qualifiers ``from``, ``to``,
``cc``) and to their companies by domain. Its labels and its Message-ID header are metadata;
its subject and snippet are never read. A message in the trash or spam, or still a draft, is
not an email of the mailbox (a removal if Atlas holds it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import getaddresses, parsedate_to_datetime

import msgspec

from adapters.connectors.gmail.records import History, Message
from adapters.connectors.google.participants import Participants, address
from domain.graph.model import ActivityRecord, EntityRecord, GraphBatch, Link, Removal, SourceRef

PROVIDER = "gmail"
SENT, RECEIVED = "Email sent", "Email received"
MESSAGE_PREFIX = "message:"  # every message activity's source id: selects the mailbox's messages
KEPT_HEADERS = ("From", "To", "Cc", "Date", "Message-ID")  # never Subject
NOT_MAIL = frozenset({"TRASH", "SPAM", "DRAFT"})
VOLATILE = frozenset({"UNREAD"})  # flips on every read: not kept, so its changes need no fetch
WEB = "https://mail.google.com/mail/u/0/#all/"
SEARCH = "https://mail.google.com/mail/u/0/#search/"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Mailbox(msgspec.Struct, frozen=True, kw_only=True):
    """What the normaliser knows of the connection: its scope and the mailbox owner."""

    scope: str
    owner: str  # the profile's emailAddress, normalised

    @property
    def participants(self) -> Participants:
        domain = self.owner.rpartition("@")[2]
        return Participants(provider=PROVIDER, scope=self.scope, own_domain=domain, search=SEARCH)

    def message_ref(self, message_id: str) -> SourceRef:
        return self.participants.ref(MESSAGE_PREFIX + message_id)


def is_mail(message: Message) -> bool:
    return not NOT_MAIL & set(message.label_ids)


def removal(mailbox: Mailbox, message_id: str) -> Removal:
    return Removal(ref=mailbox.message_ref(message_id), kind="activity")


def messages(mailbox: Mailbox, items: Iterable[Message]) -> tuple[GraphBatch, tuple[Removal, ...]]:
    entities: dict[SourceRef, EntityRecord] = {}
    activities: list[ActivityRecord] = []
    removals: list[Removal] = []
    for message in items:
        if not is_mail(message):
            removals.append(removal(mailbox, message.id))
            continue
        activity, mentioned = _message(mailbox, message)
        activities.append(activity)
        for entity in mentioned:
            entities.setdefault(entity.ref, entity)
    batch = GraphBatch(entities=tuple(entities.values()), activities=tuple(activities))
    return batch, tuple(removals)


def _message(mailbox: Mailbox, message: Message) -> tuple[ActivityRecord, list[EntityRecord]]:
    people = mailbox.participants
    headers = _headers(message)
    thread = people.ref(f"thread:{message.thread_id}")
    mentioned = [EntityRecord(ref=thread, type="email_thread", url=WEB + message.thread_id)]
    links = [Link(object=thread, qualifier="thread")]
    sender: str | None = None
    domains: dict[str, None] = {}
    for qualifier in ("from", "to", "cc"):
        for name, email in _addresses(headers.get(qualifier, [])):
            sender = sender or (email if qualifier == "from" else None)
            mentioned.append(people.person(email, name))
            links.append(Link(object=people.person_ref(email), qualifier=qualifier))
            domain = people.company_domain(email)
            if domain is not None:
                domains.setdefault(domain)
    for domain in domains:
        mentioned.append(people.company(domain))
        links.append(Link(object=people.company_ref(domain), qualifier="company"))
    activity = ActivityRecord(
        ref=mailbox.message_ref(message.id),
        type=SENT if sender == mailbox.owner else RECEIVED,
        occurred_at=received_at(message),
        actor=people.person_ref(sender) if sender else None,
        attributes=_attributes(message, headers),
        links=tuple(links),
        url=WEB + message.id,
    )
    return activity, mentioned


def received_at(message: Message) -> datetime:
    """``internalDate``: when Gmail received (or sent) it, in milliseconds. Any int64 is valid
    per the spec; one no datetime holds (past year 9999) reads as the epoch, like a value that
    is not a number: older than any backfill, never a failed read."""
    raw = message.internal_date
    millis = int(raw) if raw.isascii() and raw.isdigit() else 0
    try:
        return datetime.fromtimestamp(millis / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return EPOCH


def _headers(message: Message) -> dict[str, list[str]]:
    """The kept headers by lower-cased name; any other header is dropped unread."""
    kept = {name.lower() for name in KEPT_HEADERS}
    found: dict[str, list[str]] = {}
    for header in message.payload.headers if message.payload else ():
        name = header.name.lower()
        if name in kept:
            found.setdefault(name, []).append(header.value)
    return found


def _addresses(values: list[str]) -> list[tuple[str | None, str]]:
    """(display name, address) of each valid address, each address once."""
    found: dict[str, str | None] = {}
    for name, raw in getaddresses(values):
        email = address(raw)
        if email is not None and email not in found:
            found[email] = " ".join(name.split()) or None
    return [(name, email) for email, name in found.items()]


def _attributes(
    message: Message, headers: dict[str, list[str]]
) -> dict[str, str | int | float | bool | None]:
    labels = sorted(set(message.label_ids) - VOLATILE)
    values: dict[str, str | int | float | bool | None] = {
        "labels": ",".join(labels) or None,
        "message_id": next(iter(headers.get("message-id", [])), None),
        "date_header": _date(headers.get("date")),
        "to_count": len(_addresses(headers.get("to", []))),
        "cc_count": len(_addresses(headers.get("cc", []))),
    }
    return {name: value for name, value in values.items() if value is not None}


def _date(values: list[str] | None) -> str | None:
    """The Date header as the sender's clock put it (ISO), when it parses."""
    if not values:
        return None
    try:
        when = parsedate_to_datetime(values[0])
    except (TypeError, ValueError):
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).isoformat()


def changes(records: Iterable[History]) -> tuple[list[str], list[str]]:
    """What a page of history asks for: messages to read again, messages to remove.

    Records come oldest first and the last word on a message wins: added then deleted is a
    removal. A label change is read again (its labels are kept, and TRASH or SPAM makes it a
    removal), except one that only flips UNREAD.
    """
    wanted: dict[str, bool] = {}  # message id -> read again (False: remove)
    for record in records:
        for added in record.messages_added:
            wanted[added.message.id] = True
        for change in (*record.labels_added, *record.labels_removed):
            if not set(change.label_ids) <= VOLATILE:
                wanted[change.message.id] = wanted.get(change.message.id, True)
        for deleted in record.messages_deleted:
            wanted[deleted.message.id] = False
    fetch = [m for m, again in wanted.items() if again]
    return fetch, [m for m, again in wanted.items() if not again]
