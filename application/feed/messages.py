"""The feed's wire: the messages a client may send and the ones the server sends, the close
codes, and the limits of one socket (``docs/feed.md``)."""

from __future__ import annotations

from datetime import UTC
from typing import Any, Literal, Protocol

import msgspec

from domain.feed.events import PublishedEvent

BAD_MESSAGE = 4400
GOING_AWAY = 1001
POLICY_VIOLATION = 1008  # too many messages, or too many sockets of one member here
MESSAGE_TOO_BIG = 1009
MAX_MESSAGE_BYTES = 64 * 1024  # the server's frame limit, checked again here


class Disconnected(Exception):
    """The client went away."""


class FeedSocket(Protocol):
    async def receive(self) -> str | bytes:
        """The next message; raises ``Disconnected`` once the client has gone."""
        ...

    async def send(self, text: str) -> None: ...

    async def close(self, code: int) -> None: ...


class FeedLimits(msgspec.Struct, frozen=True, kw_only=True):
    auth_seconds: float = 10.0  # the first message must come within this
    queue: int = 1000  # events held for a socket; past this it reads from the outbox instead
    # A client that takes no message, or stays behind the outbox, this long is closed (4408).
    stall_seconds: float = 10.0
    replay_batch: int = 500
    recheck_seconds: float = 60.0  # the session is confirmed again at least this often
    messages_per_minute: int = 60  # from the client: a ping every 20 s needs three


class Auth(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="auth"):
    access_token: str
    after: int | None = None


class Ping(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="ping"):
    pass


_decode = msgspec.json.Decoder(Auth | Ping, strict=True).decode
_encode = msgspec.json.Encoder().encode


def parse(raw: str | bytes) -> Auth | Ping | None:
    """A message of the protocol, or None: the protocol is JSON in text frames only."""
    if not isinstance(raw, str):
        return None
    try:
        parsed: Auth | Ping = _decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return parsed


def event_message(event: PublishedEvent) -> str:
    at = event.at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    message: dict[str, Any] = {
        "type": "event",
        "seq": event.seq,
        "kind": event.kind,
        "at": at,
        "data": event.data,
    }
    return _encode(message).decode()


def reply(kind: Literal["ready", "resync", "pong"], **fields: Any) -> str:
    return _encode({"type": kind, **fields}).decode()
