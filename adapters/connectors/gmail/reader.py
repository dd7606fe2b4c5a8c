"""Gmail, read incrementally: a full pass once, then the mailbox's history from its historyId.

One stream, ``mailbox``. The profile is read first on every run (the owner's address, and for a
full pass the ``historyId`` it will continue from). A full pass lists message ids newest first
(``messages.list``, no ``q``: refused under the metadata scope) and reads each message's
metadata until messages are older than the backfill (``plan.since``, by ``internalDate``;
equal is kept). Its pages carry a resumable "full pass in progress" cursor (the start
``historyId``): a pass taken up again lists from the top but reads only the messages Atlas does
not hold yet. Only its last page stores the ``historyId``, so nothing between the start and the
end is missed: the history from that id replays it.

Later runs follow ``history.list`` (messageAdded, messageDeleted, labelAdded, labelRemoved)
page by page; the response's ``historyId`` is stored with the last page only (earlier pages
keep the stored one, and are read again after a crash). A 404 means the id expired: a full pass
again, which this time lists every id to the end and removes the messages Atlas holds that the
mailbox no longer lists (deleted or trashed during the gap). After a crash in such a pass,
messages held from before it keep the labels they had until they change again.

The backfill bounds the listing only: a change the history reports is applied whatever the
message's date. A thread whose messages are all removed stays, without activities.
Messages are read a few at a time (``IN_FLIGHT``): Gmail's quota (15,000 units a minute, 5 a
read) is the bound, and a failed read fails the page and cancels the reads still going.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import msgspec

from adapters.connectors.api import ProviderApi
from adapters.connectors.cursors import decode_cursor, encode_cursor
from adapters.connectors.gmail import normalise
from adapters.connectors.gmail.normalise import MESSAGE_PREFIX, Mailbox
from adapters.connectors.gmail.records import HistoryPage, Message, MessageList, Profile
from adapters.connectors.google.participants import address
from adapters.connectors.in_flight import read_all
from application.sync.ports import KnownRecords, ReadPlan, SourceReader
from domain.graph.model import GraphBatch, Removal
from domain.sync.page import SyncPage

STREAM = "mailbox"
PAGE_SIZE = 500  # the most messages.list and history.list give per page
IN_FLIGHT = 8  # messages.get requests at once
HISTORY_TYPES = ("messageAdded", "messageDeleted", "labelAdded", "labelRemoved")
METADATA = (("format", "metadata"), *(("metadataHeaders", h) for h in normalise.KEPT_HEADERS))


class GmailCursor(msgspec.Struct, frozen=True, kw_only=True):
    history_id: str | None = None  # set by a finished full pass: history.list from here
    full_start: str | None = None  # a full pass in progress, begun at this historyId
    reconcile: bool = False  # that pass removes what the mailbox no longer lists


class GmailReader(SourceReader):
    def __init__(self, plan: ReadPlan, api: ProviderApi, known: KnownRecords) -> None:
        self._plan, self._api, self._known = plan, api, known

    async def streams(self) -> Sequence[str]:
        return (STREAM,)

    async def read(self, stream: str, cursor: bytes | None) -> AsyncIterator[SyncPage]:
        stored = decode_cursor(cursor, GmailCursor) or GmailCursor()
        profile = (await self._api.get(await self._url("profile"))).decode(Profile)
        owner = address(profile.email_address) or profile.email_address.lower()
        mailbox = Mailbox(scope=str(self._plan.connection.id), owner=owner)
        if stored.history_id is not None:
            pages = self._history(mailbox, stored.history_id, profile.history_id)
        elif stored.full_start is not None:  # a pass cut short: take it up again
            pages = self._full(mailbox, stored, resumed=True)
        else:
            pages = self._full(mailbox, GmailCursor(full_start=profile.history_id), resumed=False)
        async for page in pages:
            yield page

    async def _url(self, path: str) -> str:
        return f"{await self._api.base()}/users/me/{path}"

    async def _history(self, mailbox: Mailbox, start: str, now: str) -> AsyncIterator[SyncPage]:
        url, token = await self._url("history"), None
        while True:
            params = [("startHistoryId", start), ("maxResults", str(PAGE_SIZE))]
            params += [("historyTypes", kind) for kind in HISTORY_TYPES]
            if token:
                params.append(("pageToken", token))
            answer = await self._api.get(url, params=params, expect=(404,))
            if answer.status == 404:  # too old: resync the window, mirroring the gap's deletions
                restart = GmailCursor(full_start=now, reconcile=True)
                async for resynced in self._full(mailbox, restart, resumed=False):
                    yield resynced
                return
            page = answer.decode(HistoryPage)
            fetch, remove = normalise.changes(page.history)
            batch, removals = await self._read_messages(mailbox, fetch, remove)
            token = page.next_page_token
            done = GmailCursor(history_id=page.history_id)
            yield SyncPage(
                batch=batch,
                removals=removals,
                cursor=None if token else encode_cursor(done),
                position=None if token else self._api.provider_now(),
                fetched=len(page.history),
            )
            if not token:
                return

    async def _full(
        self, mailbox: Mailbox, progress: GmailCursor, *, resumed: bool
    ) -> AsyncIterator[SyncPage]:
        held = await self._known.activity_ids(MESSAGE_PREFIX) if resumed else set()
        listed: set[str] = set()
        backfilling, token = True, None
        while True:
            listing = await self._list(token)
            ids = [m.id for m in listing.messages]
            listed.update(ids)
            batch, removals, fetched = GraphBatch(), tuple[Removal, ...](), 0
            if backfilling:
                todo = [i for i in ids if MESSAGE_PREFIX + i not in held]
                found = [m for m in await self._messages(todo) if m is not None]
                recent = [m for m in found if normalise.received_at(m) >= self._plan.since]
                backfilling, fetched = len(recent) == len(found), len(found)
                batch, removals = normalise.messages(mailbox, recent)
            token = listing.next_page_token
            if token and (backfilling or progress.reconcile):
                yield SyncPage(
                    batch=batch, removals=removals, cursor=encode_cursor(progress), fetched=fetched
                )
                continue
            if progress.reconcile:  # every id listed: what Atlas holds beyond them is gone
                gone = await self._known.activity_ids(MESSAGE_PREFIX)
                removals += tuple(
                    normalise.removal(mailbox, source_id.removeprefix(MESSAGE_PREFIX))
                    for source_id in sorted(gone)
                    if source_id.removeprefix(MESSAGE_PREFIX) not in listed
                )
            yield SyncPage(
                batch=batch,
                removals=removals,
                cursor=encode_cursor(GmailCursor(history_id=progress.full_start)),
                position=self._api.provider_now(),
                fetched=fetched,
            )
            return

    async def _list(self, token: str | None) -> MessageList:
        params = {"maxResults": str(PAGE_SIZE)}
        if token:
            params["pageToken"] = token
        return (await self._api.get(await self._url("messages"), params=params)).decode(MessageList)

    async def _message(self, message_id: str) -> Message | None:
        """The message's metadata; None when it is gone (deleted since it was listed)."""
        url = await self._url(f"messages/{message_id}")
        answer = await self._api.get(url, params=list(METADATA), expect=(404,))
        return None if answer.status == 404 else answer.decode(Message)

    async def _messages(self, message_ids: list[str]) -> list[Message | None]:
        """Each message's metadata, a few requests in flight at once: one read per message is
        Gmail's only way, and waiting for each in turn leaves the worker idle (the per-user
        quota, ~50 reads/s, is the provider's to enforce: its 429s are honoured)."""
        return await read_all(message_ids, self._message, limit=IN_FLIGHT)

    async def _read_messages(
        self, mailbox: Mailbox, fetch: list[str], remove: list[str]
    ) -> tuple[GraphBatch, tuple[Removal, ...]]:
        found: list[Message] = []
        removals = [normalise.removal(mailbox, m) for m in remove]
        for message_id, message in zip(fetch, await self._messages(fetch), strict=True):
            if message is None:
                removals.append(normalise.removal(mailbox, message_id))
            else:
                found.append(message)
        batch, more = normalise.messages(mailbox, found)
        return batch, (*removals, *more)


def build(plan: ReadPlan, api: ProviderApi, known: KnownRecords) -> SourceReader:
    return GmailReader(plan, api, known)
