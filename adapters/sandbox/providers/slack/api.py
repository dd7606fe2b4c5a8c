"""Slack Web API reads: conversations, history with cursors, replies, users, permalinks."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from adapters.sandbox.oauth.model import Family
from adapters.sandbox.providers.ids import slack_id
from adapters.sandbox.providers.slack.profile import TEAM_ID, SlackProfile, slack_error
from adapters.sandbox.reply import ProviderError, Reply
from adapters.sandbox.sandbox import Sandbox
from adapters.sandbox.seed.model import Channel, Message

Result = dict[str, Any] | Reply
WORKSPACE = "https://northwind-sandbox.slack.com"


def ts(moment: datetime) -> str:
    return f"{int(moment.timestamp())}.{moment.microsecond:06d}"


def _limit(params: dict[str, str], default: int, top: int) -> int:
    raw = params.get("limit", "")
    return min(top, max(1, int(raw))) if raw.isdigit() else default


def _needs(family: Family, scope: str) -> None:
    if scope not in family.scopes:
        raise ProviderError(
            slack_error("missing_scope", needed=scope, provided=",".join(family.scopes))
        )


def _me(sandbox: Sandbox, family: Family) -> int:
    person = sandbox.dataset.person(family.subject)
    return person.key if person else 0


def _channel(sandbox: Sandbox, family: Family, params: dict[str, str]) -> Channel:
    wanted = params.get("channel", "")
    for channel in sandbox.dataset.channels:
        if slack_id("C", channel.key) == wanted:
            if _me(sandbox, family) not in channel.members:
                raise ProviderError(slack_error("not_in_channel"))
            _needs(family, "groups:history" if channel.private else "channels:history")
            return channel
    raise ProviderError(slack_error("channel_not_found"))


def _page(
    sandbox: Sandbox, kind: str, params: dict[str, str], items: Sequence[Any], size: int
) -> tuple[Sequence[Any], str]:
    offset = 0
    if params.get("cursor"):
        status, payload = sandbox.cursors.resolve("slack", kind, params["cursor"])
        if status != "ok":
            raise ProviderError(slack_error("invalid_cursor"))
        offset = payload
    following = offset + size
    cursor = sandbox.cursors.issue("slack", kind, following) if following < len(items) else ""
    return items[offset:following], cursor


def conversations_list(
    sandbox: Sandbox, profile: SlackProfile, family: Family, params: dict[str, str]
) -> Result:
    types = set(params.get("types", "public_channel").split(","))
    if "public_channel" in types:
        _needs(family, "channels:read")
    if "private_channel" in types:
        _needs(family, "groups:read")
    me = _me(sandbox, family)
    now = sandbox.clock.now()
    visible = [
        c
        for c in sandbox.dataset.channels
        if c.created <= now
        and ("private_channel" if c.private else "public_channel") in types
        and (not c.private or me in c.members)
    ]
    page, cursor = _page(sandbox, "channels", params, visible, _limit(params, 100, 1000))
    return {
        "channels": [_render_channel(c, me) for c in page],
        "response_metadata": {"next_cursor": cursor},
    }


def _render_channel(c: Channel, me: int) -> dict[str, Any]:
    return {
        "id": slack_id("C", c.key),
        "name": c.name,
        "is_channel": not c.private,
        "is_group": False,
        "is_im": False,
        "is_mpim": False,
        "is_private": c.private,
        "created": int(c.created.timestamp()),
        "is_archived": False,
        "is_general": c.name == "general",
        "is_shared": c.account is not None,
        "is_ext_shared": c.account is not None,
        "is_org_shared": False,
        "is_member": me in c.members,
        "num_members": len(c.members),
        "purpose": {"value": c.purpose, "creator": "", "last_set": 0},
        "topic": {"value": "", "creator": "", "last_set": 0},
    }


def _bound(params: dict[str, str], name: str, default: datetime) -> datetime:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return datetime.fromtimestamp(float(raw), UTC)
    except ValueError:
        raise ProviderError(slack_error(f"invalid_ts_{name}")) from None


def conversations_history(
    sandbox: Sandbox, profile: SlackProfile, family: Family, params: dict[str, str]
) -> Result:
    channel = _channel(sandbox, family, params)
    now = sandbox.clock.now()
    oldest = _bound(params, "oldest", datetime.fromtimestamp(0, UTC))
    latest = _bound(params, "latest", now)
    inclusive = params.get("inclusive") in ("1", "true")
    # The channel's top-level messages are indexed oldest first: bisect the window, then page
    # newest first over positions, so a call costs O(log n + page), not a scan of the company.
    threads = sandbox.dataset.threads_by_channel.get(channel.key, ())
    low = (bisect_left if inclusive else bisect_right)(threads, oldest, key=_ts)
    high = (bisect_right if inclusive else bisect_left)(threads, latest, key=_ts)
    high = min(high, bisect_right(threads, now, key=_ts))
    newest_first = range(high - 1, low - 1, -1)
    positions, cursor = _page(sandbox, "history", params, newest_first, _limit(params, 100, 999))
    page = [threads[i] for i in positions]
    return {
        "messages": [_render(sandbox, m, now) for m in page],
        "has_more": cursor != "",
        "pin_count": 0,
        "channel_actions_ts": None,
        "channel_actions_count": 0,
        "response_metadata": {"next_cursor": cursor},
    }


def conversations_replies(
    sandbox: Sandbox, profile: SlackProfile, family: Family, params: dict[str, str]
) -> Result:
    channel = _channel(sandbox, family, params)
    now = sandbox.clock.now()
    parent = _thread_parent(sandbox, channel, params.get("ts", ""), now)
    if parent is None:
        return slack_error("thread_not_found")
    replies = sandbox.dataset.replies_by_parent.get(parent.key, ())
    thread = [parent, *(m for m in replies if m.ts <= now)]
    page, cursor = _page(sandbox, "replies", params, thread, _limit(params, 100, 1000))
    return {
        "messages": [_render(sandbox, m, now) for m in page],
        "has_more": cursor != "",
        "response_metadata": {"next_cursor": cursor},
    }


def _ts(m: Message) -> datetime:
    return m.ts


def _thread_parent(sandbox: Sandbox, channel: Channel, stamp: str, now: datetime) -> Message | None:
    """The channel's top-level message with this ``ts``, found by bisection."""
    seconds, _, micro = stamp.partition(".")
    if not (seconds.isdigit() and micro.isdigit() and len(micro) == 6):
        return None
    at = datetime.fromtimestamp(int(seconds), UTC).replace(microsecond=int(micro))
    threads = sandbox.dataset.threads_by_channel.get(channel.key, ())
    index = bisect_left(threads, at, key=_ts)
    found = threads[index] if index < len(threads) else None
    return found if found is not None and ts(found.ts) == stamp and found.ts <= now else None


def _render(sandbox: Sandbox, m: Message, now: datetime) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "message",
        "user": slack_id("U", m.user),
        "text": m.text,
        "ts": ts(m.ts),
        "team": TEAM_ID,
    }
    if m.parent is not None:
        out["thread_ts"] = ts(sandbox.dataset.messages_by_key[m.parent].ts)
        out["parent_user_id"] = slack_id("U", sandbox.dataset.messages_by_key[m.parent].user)
        return out
    replies = [r for r in sandbox.dataset.replies_by_parent.get(m.key, ()) if r.ts <= now]
    if replies:
        out.update(
            thread_ts=ts(m.ts),
            reply_count=len(replies),
            reply_users_count=len({r.user for r in replies}),
            latest_reply=ts(replies[-1].ts),
            reply_users=sorted({slack_id("U", r.user) for r in replies}),
        )
    return out


def users_list(
    sandbox: Sandbox, profile: SlackProfile, family: Family, params: dict[str, str]
) -> Result:
    _needs(family, "users:read")
    members = list(sandbox.dataset.slack_members)
    page, cursor = _page(sandbox, "users", params, members, _limit(params, 100, 1000))
    with_email = "users:read.email" in family.scopes
    out = []
    for p in page:
        profile_ = {"real_name": p.name, "display_name": p.first, "title": p.title}
        if with_email:
            profile_["email"] = p.email
        out.append(
            {
                "id": slack_id("U", p.key),
                "team_id": TEAM_ID,
                "name": p.email.split("@")[0],
                "deleted": False,
                "real_name": p.name,
                "tz": p.timezone,
                "is_bot": False,
                "is_restricted": not p.internal,
                "is_ultra_restricted": not p.internal,
                "profile": profile_,
            }
        )
    return {
        "members": out,
        "cache_ts": int(sandbox.clock.now().timestamp()),
        "response_metadata": {"next_cursor": cursor},
    }


def permalink(
    sandbox: Sandbox, profile: SlackProfile, family: Family, params: dict[str, str]
) -> Result:
    channel = params.get("channel", "")
    stamp = params.get("message_ts", "")
    if not channel or not stamp:
        return slack_error("invalid_arguments")
    return {
        "channel": channel,
        "permalink": f"{WORKSPACE}/archives/{channel}/p{stamp.replace('.', '')}",
    }
