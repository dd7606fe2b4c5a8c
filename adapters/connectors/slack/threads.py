"""A thread read again with ``conversations.replies``: its replies, and the ones deleted since.

Replies never appear in history, so a thread is read whole whenever its parent's counts differ
from what the graph holds (history.py). Whole, because that costs about the same as reading
its tail and also shows which stored replies are gone.
"""

from __future__ import annotations

from adapters.connectors.api import ProviderApi
from adapters.connectors.slack import normalise
from adapters.connectors.slack.known import KnownMessages
from adapters.connectors.slack.records import Message, MessagePage
from domain.graph.model import Removal
from domain.sync.errors import SourceRefused
from domain.sync.page import SyncPage

REPLIES_PAGE = 200
MAX_RESTARTS = 3


class ThreadReader:
    def __init__(
        self, api: ProviderApi, source: normalise.Source, channel: str, known: KnownMessages
    ) -> None:
        self._api, self._source, self._channel, self._known = api, source, channel, known

    async def read(self, thread_ts: str) -> SyncPage:
        """The thread's replies not stored yet, and removals of stored ones it no longer has.

        Committed without a cursor: if the run stops before the parent's page, the parent is
        listed again and, its thread now matching, not read a second time."""
        replies = await self._replies(thread_ts)
        listed = {r.ts for r in replies}
        stored = self._known.replies(thread_ts)
        fresh = [r for r in replies if r.ts not in stored]
        removals = [self._removal(thread_ts, ts) for ts in sorted(stored - listed)]
        if stored and not listed:  # no reply left: no thread either (the parent stays)
            ref = self._source.thread(self._channel, thread_ts)
            removals.append(Removal(ref=ref, kind="entity", with_history=False))
        self._known.set_replies(thread_ts, listed)
        return SyncPage(
            batch=normalise.replies(self._source, self._channel, thread_ts, fresh),
            removals=tuple(removals),
            fetched=len(replies),
        )

    def forget(self, thread_ts: str) -> list[Removal]:
        """Removals of every stored reply of a thread that is gone altogether."""
        removals = [self._removal(thread_ts, ts) for ts in sorted(self._known.replies(thread_ts))]
        self._known.set_replies(thread_ts, ())
        return removals

    def _removal(self, thread_ts: str, ts: str) -> Removal:
        return Removal(ref=self._source.message(self._channel, ts, thread_ts), kind="activity")

    async def _replies(self, thread_ts: str) -> list[Message]:
        url = f"{await self._api.base()}/conversations.replies"
        params = {"channel": self._channel, "ts": thread_ts, "limit": str(REPLIES_PAGE)}
        replies: list[Message] = []
        page_cursor, restarts = "", 0
        while True:
            sent = {**params, "cursor": page_cursor} if page_cursor else params
            page = (await self._api.get(url, params=sent)).decode(MessagePage)
            if page.error == "invalid_cursor":  # read the thread again from its start
                restarts += 1
                if restarts > MAX_RESTARTS:
                    raise SourceRefused("invalid_cursor")
                replies, page_cursor = [], ""
                continue
            if page.error is not None:
                return []  # thread_not_found, channel_not_found: nothing of it is left
            replies += [m for m in page.messages if m.ts != thread_ts]
            page_cursor = page.response_metadata.next_cursor
            if not (page.has_more and page_cursor):
                return replies
