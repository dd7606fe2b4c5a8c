"""Slack Web API reads: conversations, history with cursors, replies.

History and replies page by position, as Slack's own cursors do (they decode to
``next_ts:<ts>``): a message deleted between two pages shifts nothing, so the next page starts
right after the last message handed out. Listings of channels and users page by offset.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from adapters.sandbox.oauth.model import Family
from adapters.sandbox.providers.ids import slack_id
from adapters.sandbox.providers.slack.messages import (
    channel_gone,
    newest_first,
    parse_ts,
    render,
    replies,
    thread_parent,
    window,
)
from adapters.sandbox.providers.slack.profile import SlackProfile, slack_error
from adapters.sandbox.reply import ProviderError, Reply
from adapters.sandbox.sandbox import Sandbox
from adapters.sandbox.seed.model import Channel, Message

Result = dict[str, Any] | Reply


def limit(params: dict[str, str], default: int, top: int) -> int:
    raw = params.get("limit", "")
    return min(top, max(1, int(raw))) if raw.isdigit() else default


def needs(family: Family, scope: str) -> None:
    if scope not in family.scopes:
        raise ProviderError(
            slack_error("missing_scope", needed=scope, provided=",".join(family.scopes))
        )


def _me(sandbox: Sandbox, family: Family) -> int:
    person = sandbox.dataset.person(family.subject)
    return person.key if person else 0


def _channel(sandbox: Sandbox, family: Family, params: dict[str, str]) -> Channel:
    wanted = params.get("channel", "")
    now = sandbox.clock.now()
    for channel in sandbox.dataset.channels:
        if slack_id("C", channel.key) == wanted and not channel_gone(sandbox, channel, now):
            if _me(sandbox, family) not in channel.members:
                raise ProviderError(slack_error("not_in_channel"))
            needs(family, "groups:history" if channel.private else "channels:history")
            return channel
    raise ProviderError(slack_error("channel_not_found"))


def _resolve(sandbox: Sandbox, family: Family, kind: str, handle: str) -> Any:
    status, payload = sandbox.cursors.resolve("slack", kind, handle)
    if status != "ok":
        sandbox.stats.count("slack", family.client_id, "refused:invalid_cursor")
        raise ProviderError(slack_error("invalid_cursor"))
    return payload


def page(
    sandbox: Sandbox,
    family: Family,
    kind: str,
    params: dict[str, str],
    items: list[Any],
    *,
    size: int,
) -> tuple[list[Any], str]:
    offset = _resolve(sandbox, family, kind, params["cursor"]) if params.get("cursor") else 0
    following = offset + size
    cursor = sandbox.cursors.issue("slack", kind, following) if following < len(items) else ""
    return items[offset:following], cursor


def _keyed_page(
    sandbox: Sandbox,
    family: Family,
    kind: str,
    params: dict[str, str],
    items: list[Message],
    *,
    size: int,
    after: Callable[[Message, datetime], bool],
) -> tuple[list[Message], str]:
    """``items`` in listing order; a cursor holds the ``ts`` of the last message handed out."""
    if params.get("cursor"):
        boundary = _resolve(sandbox, family, kind, params["cursor"])
        items = [m for m in items if after(m, boundary)]
    chosen = items[:size]
    more = len(items) > size
    return chosen, sandbox.cursors.issue("slack", kind, chosen[-1].ts) if more else ""


def conversations_list(
    sandbox: Sandbox, profile: SlackProfile, family: Family, params: dict[str, str]
) -> Result:
    types = set(params.get("types", "public_channel").split(","))
    if "public_channel" in types:
        needs(family, "channels:read")
    if "private_channel" in types:
        needs(family, "groups:read")
    me = _me(sandbox, family)
    now = sandbox.clock.now()
    visible = [
        c
        for c in sandbox.dataset.channels
        if c.created <= now
        and not channel_gone(sandbox, c, now)
        and ("private_channel" if c.private else "public_channel") in types
        and (not c.private or me in c.members)
    ]
    chosen, cursor = page(
        sandbox, family, "channels", params, visible, size=limit(params, 100, 1000)
    )
    return {
        "channels": [_render_channel(c, me) for c in chosen],
        "response_metadata": {"next_cursor": cursor},
    }


def _render_channel(c: Channel, me: int) -> dict[str, Any]:
    return {
        "id": slack_id("C", c.key),
        "name": c.name,
        "name_normalized": c.name,
        # The spec requires a creator; the seed has none, so the first member stands in.
        "creator": slack_id("U", c.members[0]) if c.members else "",
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
        "topic": {"value": c.topic, "creator": "", "last_set": 0},
    }


def _bound(params: dict[str, str], name: str, default: datetime) -> datetime:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    moment = parse_ts(raw)
    if moment is None:
        raise ProviderError(slack_error(f"invalid_ts_{name}"))
    return moment


def conversations_history(
    sandbox: Sandbox, profile: SlackProfile, family: Family, params: dict[str, str]
) -> Result:
    channel = _channel(sandbox, family, params)
    now = sandbox.clock.now()
    oldest = _bound(params, "oldest", datetime.fromtimestamp(0, UTC))
    latest = _bound(params, "latest", now)
    inclusive = params.get("inclusive") in ("1", "true")
    before = (
        _resolve(sandbox, family, "history", params["cursor"]) if params.get("cursor") else None
    )
    # The channel's parents are indexed oldest first: bisect the window (and the cursor's
    # position), then read newest first with the overlay's deletions applied per message, so a
    # call costs O(log n + page), not a scan of the channel. The cursor holds the ``ts`` of the
    # last message handed out, so a deletion between pages shifts nothing.
    span = window(sandbox, channel, (oldest, latest, inclusive), now, before)
    size = limit(params, 100, 999)
    found = newest_first(sandbox, channel, span, now, size + 1)
    chosen = found[:size]
    cursor = sandbox.cursors.issue("slack", "history", chosen[-1].ts) if len(found) > size else ""
    return {
        "messages": [render(sandbox, m, now) for m in chosen],
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
    parent = thread_parent(sandbox, channel, params.get("ts", ""), now)
    if parent is None:
        return slack_error("thread_not_found")
    thread = [parent, *replies(sandbox, parent, now)]
    if params.get("oldest") or params.get("latest"):  # a window of the thread, bounds as asked
        low = _bound(params, "oldest", datetime.fromtimestamp(0, UTC))
        high = _bound(params, "latest", now)
        inclusive = params.get("inclusive") in ("1", "true")
        thread = [m for m in thread if (low <= m.ts <= high if inclusive else low < m.ts < high)]
    chosen, cursor = _keyed_page(
        sandbox,
        family,
        "replies",
        params,
        thread,
        size=limit(params, 100, 1000),
        after=lambda m, b: m.ts > b,
    )
    rendered = [render(sandbox, m, now) for m in chosen]
    for out in rendered:
        if out["ts"] == params.get("ts"):
            # The spec's thread parent always says its thread and count (0 once every reply
            # is gone) and whether the caller follows it.
            out.setdefault("thread_ts", out["ts"])
            out.setdefault("reply_count", 0)
            out["subscribed"] = False
    return {
        "messages": rendered,
        "has_more": cursor != "",
        "response_metadata": {"next_cursor": cursor},
    }


def conversations_info(
    sandbox: Sandbox, profile: SlackProfile, family: Family, params: dict[str, str]
) -> Result:
    """One channel the caller can see (a member of a private one), with its purpose and topic."""
    channel = _channel(sandbox, family, params)
    return {"channel": _render_channel(channel, _me(sandbox, family))}
