"""Slack messages as of the sandbox clock: ``ts`` values, threads, deletions and tombstones.

A message is visible once the clock reaches its ``ts`` and until the overlay deletes it
(``mutations.delete("message", key)``). Deleting a thread's parent that still has replies
leaves a tombstone in its place, as Slack does ("This message was deleted."), so the replies
stay reachable; a deleted reply simply vanishes and the parent's counts drop.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.sandbox.providers.ids import slack_id
from adapters.sandbox.providers.slack.profile import TEAM_ID
from adapters.sandbox.sandbox import Sandbox
from adapters.sandbox.seed.model import Channel, Message

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SLACKBOT = "USLACKBOT"
_TS = re.compile(r"^(\d{1,12})(?:\.(\d{1,6}))?$")


def ts(moment: datetime) -> str:
    return f"{int(moment.timestamp())}.{moment.microsecond:06d}"


def parse_ts(raw: str) -> datetime | None:
    """A ``ts`` (or whole seconds) exactly: floats would round the microseconds of today's
    ten-digit seconds, and two messages of one second differ only there."""
    match = _TS.match(raw.strip())
    if match is None:
        return None
    seconds, fraction = match.group(1), match.group(2) or ""
    return EPOCH + timedelta(seconds=int(seconds), microseconds=int(fraction.ljust(6, "0")))


def channel_gone(sandbox: Sandbox, channel: Channel, now: datetime) -> bool:
    return sandbox.mutations.deleted_at("channel", channel.key, now) is not None


def live(sandbox: Sandbox, m: Message, now: datetime) -> bool:
    return m.ts <= now and sandbox.mutations.deleted_at("message", m.key, now) is None


def replies(sandbox: Sandbox, parent: Message, now: datetime) -> list[Message]:
    return [
        r for r in sandbox.dataset.replies_by_parent.get(parent.key, ()) if live(sandbox, r, now)
    ]


def listed(sandbox: Sandbox, parent: Message, now: datetime) -> bool:
    """Whether history lists this top-level message: live, or the tombstone of a deleted
    parent whose thread still has replies."""
    return parent.ts <= now and (live(sandbox, parent, now) or bool(replies(sandbox, parent, now)))


def newest_first(
    sandbox: Sandbox, channel: Channel, window: tuple[int, int], now: datetime, size: int
) -> list[Message]:
    """Up to ``size`` listed parents among the channel's indexed ones at positions
    ``[low, high)``, newest first. The index holds what was seeded; the overlay's deletions
    are checked per message here, so a call reads a page (and the deletions skipped), not the
    whole channel."""
    threads = sandbox.dataset.threads_by_channel.get(channel.key, ())
    low, high = window
    found: list[Message] = []
    for index in range(high - 1, low - 1, -1):
        if len(found) == size:
            break
        if listed(sandbox, threads[index], now):
            found.append(threads[index])
    return found


def thread_parent(sandbox: Sandbox, channel: Channel, stamp: str, now: datetime) -> Message | None:
    """The channel's listed top-level message with this exact ``ts``, found by bisection."""
    at = parse_ts(stamp)
    threads = sandbox.dataset.threads_by_channel.get(channel.key, ())
    if at is None:
        return None
    index = bisect_left(threads, at, key=_ts)
    found = threads[index] if index < len(threads) else None
    if found is None or ts(found.ts) != stamp:
        return None
    return found if listed(sandbox, found, now) else None


def window(
    sandbox: Sandbox,
    channel: Channel,
    bounds: tuple[datetime, datetime, bool],
    now: datetime,
    before: datetime | None,
) -> tuple[int, int]:
    """Positions ``[low, high)`` of the channel's indexed parents inside ``(oldest, latest,
    inclusive)``, posted by ``now`` and earlier than ``before`` (a cursor's last ``ts``)."""
    threads = sandbox.dataset.threads_by_channel.get(channel.key, ())
    oldest, latest, inclusive = bounds
    low = (bisect_left if inclusive else bisect_right)(threads, oldest, key=_ts)
    high = (bisect_right if inclusive else bisect_left)(threads, latest, key=_ts)
    high = min(high, bisect_right(threads, now, key=_ts))
    if before is not None:
        high = min(high, bisect_left(threads, before, key=_ts))
    return low, max(low, high)


def _ts(m: Message) -> datetime:
    return m.ts


def render(sandbox: Sandbox, m: Message, now: datetime) -> dict[str, Any]:
    if m.parent is not None:
        parent = sandbox.dataset.messages_by_key[m.parent]
        return {
            **_plain(m),
            "thread_ts": ts(parent.ts),
            "parent_user_id": slack_id("U", parent.user),
        }
    out = _plain(m) if live(sandbox, m, now) else _tombstone(m)
    thread = replies(sandbox, m, now)
    if thread:
        out.update(
            thread_ts=ts(m.ts),
            reply_count=len(thread),
            reply_users_count=len({r.user for r in thread}),
            latest_reply=ts(thread[-1].ts),
            reply_users=sorted({slack_id("U", r.user) for r in thread}),
        )
    return out


def _plain(m: Message) -> dict[str, Any]:
    return {"type": "message", "user": slack_id("U", m.user), "text": m.text, "ts": ts(m.ts),
            "team": TEAM_ID}  # fmt: skip


def _tombstone(m: Message) -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "tombstone",
        "text": "This message was deleted.",
        "user": SLACKBOT,
        "ts": ts(m.ts),
    }
