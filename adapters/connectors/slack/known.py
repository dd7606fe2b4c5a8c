"""What the graph holds of one channel's messages, read from their source ids alone.

Parents are ``msg:<channel>:<ts>``, replies ``msg:<channel>:<thread ts>:<ts>`` (normalise.py),
so one id query tells which parents are stored and, per thread, how many replies and the
newest one: compared with a parent's ``reply_count`` and ``latest_reply`` in history, that says
whether the thread must be read again, without a per-thread state in the cursor. Replies only
ever join a thread at its end, so equal counts and equal newest replies mean the same replies.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from adapters.connectors.slack import stamps
from adapters.connectors.slack.stamps import Key

Stats = tuple[int, str | None]  # (replies, newest reply ts)


class KnownMessages:
    def __init__(self, prefix: str, source_ids: Iterable[str]) -> None:
        self.parents: set[str] = set()
        self._threads: dict[str, set[str]] = {}
        for source_id in source_ids:
            rest = source_id.removeprefix(prefix)
            thread_ts, _, ts = rest.rpartition(":")
            if not stamps.valid(ts) or (thread_ts and not stamps.valid(thread_ts)):
                continue  # not one of ours: leave it alone
            if thread_ts:
                self._threads.setdefault(thread_ts, set()).add(ts)
            else:
                self.parents.add(ts)
        # Sorted once: a pass asks for ranges page after page (bisect, not a scan per page).
        # What a pass adds is listed, so never a candidate for removal in that pass.
        self._parent_order = sorted((stamps.key(ts), ts) for ts in self.parents)
        self._thread_order = sorted((stamps.key(ts), ts) for ts in self._threads)

    def replies(self, thread_ts: str) -> frozenset[str]:
        return frozenset(self._threads.get(thread_ts, ()))

    def stats(self, thread_ts: str) -> Stats:
        replies = self._threads.get(thread_ts)
        return (len(replies), stamps.newest(*replies)) if replies else (0, None)

    def set_replies(self, thread_ts: str, replies: Iterable[str]) -> None:
        stored = set(replies)
        if stored:
            self._threads[thread_ts] = stored
        else:
            self._threads.pop(thread_ts, None)

    def parents_within(self, lower: Key, upper: Key, *, with_lower: bool) -> list[str]:
        """Stored parents in ``[lower, upper)`` (``(lower, upper)`` without ``with_lower``)."""
        found = _within(self._parent_order, lower, upper, with_lower)
        return [ts for ts in found if ts in self.parents]

    def threads_within(self, lower: Key, upper: Key, *, with_lower: bool) -> list[str]:
        found = _within(self._thread_order, lower, upper, with_lower)
        return [ts for ts in found if ts in self._threads]


def _within(order: list[tuple[Key, str]], lower: Key, upper: Key, with_lower: bool) -> list[str]:
    # "" sorts before and "~" after every ts string: bounds on the key alone.
    start = bisect.bisect_left(order, (lower, "") if with_lower else (lower, "~"))
    end = bisect.bisect_left(order, (upper, ""))
    return [ts for _, ts in order[start:end]]
