"""The fields Atlas keeps of Gmail's answers: everything else is never even decoded.

These structs are the connector's allow-list. A message's ``snippet`` (which
``format=metadata`` returns anyway), ``raw``, body parts and attachments do not appear here,
so no code path can store them. Headers are requested by name (``metadataHeaders``, never
``Subject``) and read by name: the normaliser keeps From, To, Cc, Date and Message-ID only.
"""

from __future__ import annotations

import msgspec


class Profile(msgspec.Struct, frozen=True, rename="camel"):
    email_address: str
    history_id: str


class MessageId(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    thread_id: str | None = None


class MessageList(msgspec.Struct, frozen=True, rename="camel"):
    messages: list[MessageId] = []
    next_page_token: str | None = None


class Header(msgspec.Struct, frozen=True):
    name: str
    value: str = ""


class Payload(msgspec.Struct, frozen=True):
    headers: list[Header] = []


class Message(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    thread_id: str
    internal_date: str  # int64 milliseconds since the epoch, as a string
    label_ids: list[str] = []
    history_id: str | None = None
    payload: Payload | None = None


class Touched(msgspec.Struct, frozen=True, rename="camel"):
    message: MessageId


class LabelChange(msgspec.Struct, frozen=True, rename="camel"):
    message: MessageId
    label_ids: list[str] = []


class History(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    messages_added: list[Touched] = []
    messages_deleted: list[Touched] = []
    labels_added: list[LabelChange] = []
    labels_removed: list[LabelChange] = []


class HistoryPage(msgspec.Struct, frozen=True, rename="camel"):
    history_id: str
    history: list[History] = []
    next_page_token: str | None = None
