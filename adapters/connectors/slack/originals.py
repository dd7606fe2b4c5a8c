"""Slack originals: one message by its ``ts`` (history, or replies for a reply), a channel by
``conversations.info``, a member by ``users.info``; a thread is its parent message.

Slack answers HTTP 200 with ``ok: false`` for a record that is gone; the answer is checked to
be the very message asked for (a window of one message may hold a neighbour if it is gone).
"""

from __future__ import annotations

from typing import Any

import msgspec

from adapters.connectors.api import ApiResponse, ProviderApi
from adapters.connectors.originals import kind_of, no_original
from application.graph.original_ports import RecordReference
from domain.graph.errors import OriginalGone
from domain.integrations.connection import Connection
from domain.sync.errors import SourceRefused

GONE = frozenset({"channel_not_found", "thread_not_found", "message_not_found", "user_not_found"})


class _Message(msgspec.Struct, frozen=True):
    ts: str = ""


class _Answer(msgspec.Struct, frozen=True):
    ok: bool = False
    error: str = ""
    messages: list[_Message] = []


async def read_one(
    api: ProviderApi, connection: Connection, record: RecordReference
) -> ApiResponse:
    kind, rest = kind_of(record)
    parts = rest.split(":")
    if kind == "user" and rest:
        return await _call(api, "users.info", {"user": rest})
    if kind == "channel" and rest:
        return await _call(api, "conversations.info", {"channel": rest})
    if kind in ("msg", "thread") and len(parts) == 2:  # a message, or a thread's parent
        channel, ts = parts
        window = {"channel": channel, "latest": ts, "inclusive": "true", "limit": "1"}
        return _the_message(await _call(api, "conversations.history", window), ts)
    if kind == "msg" and len(parts) == 3:  # a reply: msg:<channel>:<thread ts>:<ts>
        channel, thread_ts, ts = parts
        window = {"channel": channel, "ts": thread_ts, "oldest": ts, "latest": ts}
        window |= {"inclusive": "true", "limit": "1"}
        return _the_message(await _call(api, "conversations.replies", window), ts)
    raise no_original()


async def _call(api: ProviderApi, method: str, params: dict[str, Any]) -> ApiResponse:
    try:
        answer = await api.get(f"{await api.base()}/{method}", params=params)
    except SourceRefused as refused:
        if refused.reason in GONE:
            raise OriginalGone() from None
        raise
    envelope = _read(answer)
    if not envelope.ok:
        if envelope.error in GONE:
            raise OriginalGone()
        raise SourceRefused(envelope.error or "slack_error")
    return answer


def _the_message(answer: ApiResponse, ts: str) -> ApiResponse:
    messages = _read(answer).messages
    if not messages or messages[0].ts != ts:
        raise OriginalGone()
    return answer


def _read(answer: ApiResponse) -> _Answer:
    try:
        return msgspec.json.decode(answer.content, type=_Answer)
    except (msgspec.ValidationError, msgspec.DecodeError):
        raise SourceRefused("unreadable_response") from None
