"""What Salesforce deleted: its delete log (getDeleted), else a comparison of ids.

``/sobjects/{Type}/deleted/?start=&end=`` lists the ids deleted in a span, read from the stored
``start`` to the pass's upper bound (minute precision: Salesforce ignores seconds). The next
span starts at the log's ``latestDateCovered``, so a span is read again rather than skipped.
The log keeps 15 days: a start older than that (a connection that did not sync for two weeks),
an ``INVALID_REPLICATION_DATE`` answer, or no stored start at all, compares the ids the graph
holds with the ids Salesforce still has instead (providers.md 2.1).

This stream runs before the records: a record deleted and then restored inside one span is
removed here and brought back by its object's stream, which sees the restore as a change.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import msgspec

from adapters.connectors.api import ProviderApi
from adapters.connectors.cursors import decode_cursor, encode_cursor
from adapters.connectors.salesforce import normalise, soql
from adapters.connectors.salesforce.errors import INVALID_REPLICATION_DATE, error_code, refused
from adapters.connectors.salesforce.records import DeletedPage, IdOnly, QueryPage
from application.sync.ports import KnownRecords
from domain.sync.page import SyncPage

# Salesforce keeps 15 days counted from the start of the day of the call: one day of margin.
RETENTION = timedelta(days=14)
MIN_SPAN = timedelta(minutes=1)  # getDeleted wants start before end by more than a minute


class DeletedCursor(msgspec.Struct, frozen=True, kw_only=True):
    start: datetime  # the delete log is read from here on next time


class Deletions:
    def __init__(
        self, api: ProviderApi, root: str, source: normalise.Source, known: KnownRecords
    ) -> None:
        self._api, self._root, self._source, self._known = api, root, source, known

    async def read(self, raw: bytes | None, hi: datetime) -> AsyncIterator[SyncPage]:
        end = _minute(hi)
        cursor = decode_cursor(raw, DeletedCursor)
        if cursor is None or cursor.start < self._api.provider_now() - RETENTION:
            async for page in self._reconcile(end):
                yield page
            return
        if end - cursor.start <= MIN_SPAN:
            return  # the log cannot say anything new yet
        covered, last = end, len(normalise.DELETABLE) - 1
        for index, sobject in enumerate(normalise.DELETABLE):
            answer = await self._api.get(
                f"{self._root}/sobjects/{sobject}/deleted/",
                params={"start": _iso(cursor.start), "end": _iso(end)},
                expect=(400,),
            )
            if answer.status == 400:
                if error_code(answer) != INVALID_REPLICATION_DATE:
                    raise refused(answer)
                async for page in self._reconcile(end):  # the log no longer reaches back
                    yield page
                return
            log = answer.decode(DeletedPage)
            if log.latest_date_covered is not None:
                covered = min(covered, log.latest_date_covered)
            ids = [r.id for r in log.deleted_records]
            if not ids and index != last:
                continue
            yield SyncPage(
                removals=normalise.removals(self._source, sobject, ids),
                cursor=encode_cursor(DeletedCursor(start=covered)) if index == last else None,
                position=covered if index == last else None,
                fetched=len(ids),
            )

    async def _reconcile(self, end: datetime) -> AsyncIterator[SyncPage]:
        """Removals for what the graph holds and Salesforce no longer has, object by object."""
        last = len(normalise.DELETABLE) - 1
        for index, (sobject, (kind, removal, _)) in enumerate(normalise.DELETABLE.items()):
            if removal == "entity":
                held = await self._known.entity_ids(normalise.ENTITY_TYPES[kind])
            else:
                held = await self._known.activity_ids(f"{kind}:")
            stored = {s.split(":", 1)[1] for s in held if s.startswith(f"{kind}:")}
            live = await self._live_ids(sobject) if stored else set()
            if not stored - live and index != last:
                continue
            yield SyncPage(
                removals=normalise.removals(self._source, sobject, sorted(stored - live)),
                cursor=encode_cursor(DeletedCursor(start=end)) if index == last else None,
                position=end if index == last else None,
                fetched=len(live),
            )

    async def _live_ids(self, sobject: str) -> set[str]:
        ids: set[str] = set()
        after: str | None = None
        while True:
            # queryAll: a Task or Event archived after a year is not in ``query``'s answers but
            # is still at Salesforce (its IsDeleted stays false); it must not be removed.
            answer = await self._api.get(
                f"{self._root}/queryAll", params={"q": soql.ids_after(sobject, after)}
            )
            page = answer.decode(QueryPage[IdOnly])
            ids.update(r.id for r in page.records)
            if len(page.records) < soql.ID_PAGE:
                return ids
            after = page.records[-1].id


def _minute(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
