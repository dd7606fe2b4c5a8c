"""The fields Atlas keeps of Slack's answers: everything else is never even decoded.

These structs are the connector's allow-list. A message's ``text``, ``blocks``, ``files``,
``attachments`` and ``reactions``, a channel's ``purpose`` and ``topic``, a person's
``title`` and status do not appear here, so no code path can store them. Every answer also
carries Slack's envelope: ``ok`` and, when it is false, an ``error`` code.
"""

from __future__ import annotations

import msgspec


class Meta(msgspec.Struct, frozen=True):
    next_cursor: str = ""  # "" on the last page


class Answer(msgspec.Struct, frozen=True):
    """The envelope of every Web API answer (errors are HTTP 200 with ``ok: false``)."""

    ok: bool = True
    error: str | None = None


class Workspace(msgspec.Struct, frozen=True):
    """``auth.test``: where the workspace lives (deep links) and who connected it."""

    ok: bool = True
    error: str | None = None
    url: str | None = None  # https://<domain>.slack.com/
    team_id: str | None = None
    user_id: str | None = None


class Channel(msgspec.Struct, frozen=True):
    id: str
    name: str | None = None
    created: int = 0
    is_private: bool = False
    is_im: bool = False
    is_mpim: bool = False
    is_archived: bool = False
    is_general: bool = False
    is_shared: bool = False
    is_ext_shared: bool = False


class ChannelPage(msgspec.Struct, frozen=True):
    ok: bool = True
    error: str | None = None
    channels: list[Channel] = []
    response_metadata: Meta = Meta()


class Message(msgspec.Struct, frozen=True):
    ts: str
    subtype: str | None = None
    user: str | None = None
    bot_id: str | None = None
    thread_ts: str | None = None
    reply_count: int = 0
    reply_users_count: int = 0
    latest_reply: str | None = None


class MessagePage(msgspec.Struct, frozen=True):
    """``conversations.history`` and ``conversations.replies``."""

    ok: bool = True
    error: str | None = None
    messages: list[Message] = []
    has_more: bool = False
    response_metadata: Meta = Meta()


class Profile(msgspec.Struct, frozen=True):
    email: str | None = None  # only with users:read.email
    real_name: str | None = None


class Member(msgspec.Struct, frozen=True):
    id: str
    team_id: str | None = None
    real_name: str | None = None
    deleted: bool = False
    is_bot: bool = False
    is_restricted: bool = False  # a guest (customers in shared channels)
    profile: Profile = Profile()


class MemberPage(msgspec.Struct, frozen=True):
    ok: bool = True
    error: str | None = None
    members: list[Member] = []
    response_metadata: Meta = Meta()
