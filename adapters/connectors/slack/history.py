"""One public channel's messages, read incrementally and mirrored with deletions.

Each run makes one *pass* over ``conversations.history`` between ``oldest`` and ``latest``
(both exclusive), paged with ``response_metadata.next_cursor``. Slack lists newest first, so
the channel's cursor (``ts``, the newest message stored) only moves once a pass is complete;
meanwhile the pass itself is the cursor (the page to continue from, committed with each page),
so a run that stops resumes where it was. ``latest`` is the provider's clock minus a minute
(providers.md rule 12), so everything up to it has settled; ``ts`` strings are compared
exactly, so messages within one second are neither skipped nor repeated.

A pass reaches back to the older of ``ts`` and one day ago: history shows no edits or
deletions, but a parent's ``reply_count``/``latest_reply`` tell which threads to read again
with ``conversations.replies``, and every page lists *all* the messages in the stretch of time
it covers, so stored ones missing there were deleted (``Removal``s in the same transaction).
Once every 24 hours (and right after an expired page cursor forced a restart) the pass reaches
back to the backfill horizon instead: a full reconciliation. The trade-off: a full pass pages
through the whole channel, costly for a big one at Slack's Tier 3 limits, so a deletion
older than a day shows up within 24 hours rather than at the next run, and a reply to a
thread older than a day likewise. Messages older than the backfill horizon are not reconciled.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import msgspec

from adapters.connectors.api import ProviderApi
from adapters.connectors.cursors import decode_cursor, encode_cursor
from adapters.connectors.in_flight import read_all
from adapters.connectors.slack import normalise, stamps
from adapters.connectors.slack.known import KnownMessages
from adapters.connectors.slack.records import Message, MessagePage
from adapters.connectors.slack.threads import ThreadReader
from application.sync.ports import KnownRecords
from domain.graph.model import Removal
from domain.sync.errors import SourceRefused
from domain.sync.page import SyncPage

LAG = timedelta(seconds=60)
LOOKBACK = timedelta(days=1)
RECONCILE_EVERY = timedelta(hours=24)
HISTORY_PAGE = 200
MAX_RESTARTS = 3
THREADS_IN_FLIGHT = 8  # conversations.replies requests at once


class Pass(msgspec.Struct, frozen=True, kw_only=True):
    lo: str  # oldest (exclusive)
    hi: str  # latest (exclusive)
    full: bool  # reaches back to the backfill horizon: a full reconciliation
    page: str = ""  # Slack's next_cursor to continue with ("" = the first page)
    upper: str | None = None  # the oldest ts listed so far: what is left lies below it
    newest: str | None = None  # the newest ts listed in this pass


class ChannelCursor(msgspec.Struct, frozen=True, kw_only=True):
    ts: str | None = None  # the newest message stored by a complete pass
    at: str | None = None  # the ``latest`` of the last complete pass (the stream's position)
    reconciled_at: str | None = None  # the ``latest`` of the last full reconciliation
    current: Pass | None = None  # a pass under way


class ChannelHistory:
    def __init__(
        self,
        api: ProviderApi,
        source: normalise.Source,
        channel: str,
        since: datetime,
        records: KnownRecords,
    ) -> None:
        self._api, self._source, self._channel = api, source, channel
        self._since, self._records = stamps.of(since), records
        self._prefix = f"msg:{channel}:"
        # What the graph holds is read when the stream is (``read``), not when it is built.
        self._known = KnownMessages(self._prefix, ())
        self._threads = ThreadReader(api, source, channel, self._known)

    async def read(self, raw: bytes | None) -> AsyncIterator[SyncPage]:
        cursor = decode_cursor(raw, ChannelCursor) or ChannelCursor()
        self._known = KnownMessages(self._prefix, await self._records.activity_ids(self._prefix))
        self._threads = ThreadReader(self._api, self._source, self._channel, self._known)
        state, restarts = cursor.current or self._start(cursor, restart=False), 0
        while True:
            page = await self._history(state)
            if page.error == "invalid_cursor":  # the page cursor expired: begin again, reconciling
                restarts += 1
                if restarts > MAX_RESTARTS:
                    raise SourceRefused("invalid_cursor")
                state = self._start(cursor, restart=True)
                continue
            if page.error is not None:
                return  # channel_not_found, not_in_channel: the channels stream mirrors that
            stale = self._stale_threads(page.messages)
            changed = {parent.ts for parent in stale}
            threads = await self._read_threads(stale)
            following = self._advance(state, page)
            cursor = self._after(cursor, following, state, page)
            # One transaction for the page and the threads it showed stale: fewer, larger
            # commits, and a thread is never stored without the parent that brought it.
            yield SyncPage.joined([*threads, self._page(cursor, state, page, changed)])
            if following is None:
                return
            state = following

    async def _read_threads(self, parents: list[Message]) -> list[SyncPage]:
        """The stale threads, a few ``conversations.replies`` in flight at once."""
        return await read_all([p.ts for p in parents], self._threads.read, limit=THREADS_IN_FLIGHT)

    def _start(self, cursor: ChannelCursor, *, restart: bool) -> Pass:
        now = self._api.provider_now()
        last = cursor.reconciled_at
        if restart or cursor.ts is None or last is None:
            due = True
        else:
            due = now - stamps.moment(last) >= RECONCILE_EVERY
        lo = stamps.oldest(cursor.ts, stamps.of(now - LOOKBACK)) if not due else None
        return Pass(lo=lo or self._since, hi=stamps.of(now - LAG), full=due)

    async def _history(self, state: Pass) -> MessagePage:
        params = {
            "channel": self._channel,
            "oldest": state.lo,
            "latest": state.hi,
            "limit": str(HISTORY_PAGE),
        }
        if state.page:
            params["cursor"] = state.page
        url = f"{await self._api.base()}/conversations.history"
        return (await self._api.get(url, params=params)).decode(MessagePage)

    def _stale_threads(self, listed: list[Message]) -> list[Message]:
        """Parents whose thread differs from what is stored: new, grown, or shrunk."""
        return [
            m for m in listed if not normalise.is_reply(m) and self._known.stats(m.ts) != _stats(m)
        ]

    def _page(
        self, cursor: ChannelCursor, state: Pass, page: MessagePage, changed: set[str]
    ) -> SyncPage:
        """The page's new and changed messages, the deletions it reveals, and the cursor."""
        fresh = [m for m in page.messages if m.ts in changed or self._unknown(m)]
        batch, gone = normalise.messages(self._source, self._channel, fresh)
        removals = (*gone, *self._missing(state, page.messages, exhausted=not page.has_more))
        self._known.parents |= {m.ts for m in fresh if _live_parent(m)}
        return SyncPage(
            batch=batch,
            removals=removals,
            cursor=encode_cursor(cursor),
            position=stamps.moment(cursor.at) if cursor.at else None,
            fetched=len(page.messages),
        )

    def _unknown(self, m: Message) -> bool:
        if normalise.is_reply(m):  # a reply also sent to the channel
            return m.ts not in self._known.replies(m.thread_ts or "")
        return m.ts not in self._known.parents

    def _missing(self, state: Pass, listed: list[Message], *, exhausted: bool) -> list[Removal]:
        """Stored messages in the stretch this page covers that it does not list: deleted.

        A page covers from just below the previous page's oldest message (or ``latest``) down
        to its own oldest message; the page that says nothing more is left, down to ``oldest``.
        """
        lowest = stamps.oldest(*(m.ts for m in listed))
        if lowest is None and not exhausted:
            return []  # an empty page that promises more covers nothing we can tell
        upper = stamps.key(state.upper or state.hi)
        lower = stamps.key(state.lo if exhausted or lowest is None else lowest)
        with_lower = not exhausted
        kept = {m.ts for m in listed if not normalise.is_reply(m)}  # tombstones keep threads
        live = {m.ts for m in listed if _live_parent(m)}
        removals = []
        for ts in self._known.parents_within(lower, upper, with_lower=with_lower):
            if ts not in live:
                removals.append(
                    Removal(ref=self._source.message(self._channel, ts), kind="activity")
                )
                self._known.parents.discard(ts)
        for thread_ts in self._known.threads_within(lower, upper, with_lower=with_lower):
            if thread_ts not in kept:  # the whole thread went: its entity takes its replies
                ref = self._source.thread(self._channel, thread_ts)
                removals.append(Removal(ref=ref, kind="entity"))
                removals += self._threads.forget(thread_ts)
        return removals

    def _advance(self, state: Pass, page: MessagePage) -> Pass | None:
        """Where the pass continues after ``page``; None when it was the last."""
        following = page.response_metadata.next_cursor
        if not (page.has_more and following):
            return None
        stamped = [m.ts for m in page.messages]
        return msgspec.structs.replace(
            state,
            page=following,
            upper=stamps.oldest(*stamped) or state.upper,
            newest=stamps.newest(state.newest, *stamped),
        )

    def _after(
        self, cursor: ChannelCursor, following: Pass | None, state: Pass, page: MessagePage
    ) -> ChannelCursor:
        if following is not None:
            return msgspec.structs.replace(cursor, current=following)
        ts = stamps.newest(cursor.ts, state.newest, *(m.ts for m in page.messages))
        done = state.hi if state.full else cursor.reconciled_at
        return ChannelCursor(ts=ts, at=state.hi, reconciled_at=done)


def _stats(m: Message) -> tuple[int, str | None]:
    return (m.reply_count, m.latest_reply) if m.reply_count > 0 else (0, None)


def _live_parent(m: Message) -> bool:
    return not normalise.is_reply(m) and m.subtype != normalise.TOMBSTONE
