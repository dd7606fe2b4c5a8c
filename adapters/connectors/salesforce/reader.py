"""Salesforce, read incrementally: one SOQL window per object, and the delete log.

Streams, in order: deletions (``deletions``), then users, accounts, contacts, opportunities,
their stage history, tasks and events. Each object is read by ``SystemModstamp`` in windows
``[cursor, hi)`` ordered by ``(SystemModstamp, Id)``; ``hi`` is the org's clock (the ``Date``
of its answers) less a minute, fixed for the whole pass. The cursor is the ``(SystemModstamp,
Id)`` of the last record stored: the next window starts at that same second (``>=``) and
drops what is at or before the cursor, so records sharing a timestamp are neither skipped nor
read twice, across pages and across runs. Pages follow ``nextRecordsUrl``; a query locator
that expired (``INVALID_QUERY_LOCATOR``: idle over 15 minutes) restarts the window from the
cursor last stored. Every call goes to the connection's ``instance_url``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

import msgspec

from adapters.connectors.api import ProviderApi
from adapters.connectors.cursors import decode_cursor, encode_cursor
from adapters.connectors.salesforce import activities, normalise, soql
from adapters.connectors.salesforce.deletions import Deletions
from adapters.connectors.salesforce.errors import INVALID_QUERY_LOCATOR, error_code, refused
from adapters.connectors.salesforce.records import (
    Account,
    Contact,
    Event,
    Opportunity,
    OpportunityHistory,
    QueryPage,
    Record,
    Task,
    User,
    select_list,
)
from adapters.connectors.salesforce.usage import check_allowance
from application.sync.ports import KnownRecords, ReadPlan, SourceReader
from domain.graph.model import GraphBatch
from domain.sync.errors import SourceUnavailable
from domain.sync.page import SyncPage

API_VERSION = "v62.0"
LAG = timedelta(seconds=60)  # providers.md rule 12: never read the last minute
BATCH_SIZE = 2000  # Sforce-Query-Options batchSize: 200..2000, fewer calls of the allowance
LOCATOR_RESTARTS = 3  # expired locators in a row before the run is left to come back later


@dataclass(frozen=True)
class ObjectStream:
    sobject: str
    page: Any  # QueryPage[<the allow-list struct>]: what one answer decodes to
    normalise: Callable[[normalise.Source, list[Any]], GraphBatch]

    @property
    def fields(self) -> tuple[str, ...]:
        return select_list(get_args(self.page)[0])


OBJECTS: dict[str, ObjectStream] = {
    "users": ObjectStream("User", QueryPage[User], normalise.users),
    "accounts": ObjectStream("Account", QueryPage[Account], normalise.accounts),
    "contacts": ObjectStream("Contact", QueryPage[Contact], normalise.contacts),
    "opportunities": ObjectStream("Opportunity", QueryPage[Opportunity], normalise.opportunities),
    "stage_changes": ObjectStream(
        "OpportunityHistory", QueryPage[OpportunityHistory], activities.stage_changes
    ),
    "tasks": ObjectStream("Task", QueryPage[Task], activities.tasks),
    "events": ObjectStream("Event", QueryPage[Event], activities.events),
}
STREAMS = ("deletions", *OBJECTS)


class ModstampCursor(msgspec.Struct, frozen=True, kw_only=True):
    """Every record at or before ``(at, id)`` in ``(SystemModstamp, Id)`` order is stored."""

    at: datetime
    id: str = ""

    def before(self, record: Record) -> bool:
        # SOQL sorts text case-insensitively (English locales: by the uppercase characters'
        # codes), Ids included; an 18-character Id is unique ignoring case, so no ties.
        return (self.at, self.id.upper()) < (record.system_modstamp, record.id.upper())


class SalesforceReader(SourceReader):
    def __init__(self, plan: ReadPlan, api: ProviderApi, known: KnownRecords) -> None:
        self._plan, self._api, self._known = plan, api, known
        self._hi: datetime | None = None

    async def streams(self) -> Sequence[str]:
        await self._upper_bound()
        return STREAMS

    async def read(self, stream: str, cursor: bytes | None) -> AsyncIterator[SyncPage]:
        source, root = await self._source()
        hi = await self._upper_bound()
        if stream == "deletions":
            pages = Deletions(self._api, root, source, self._known).read(cursor, hi)
        else:
            pages = self._window(OBJECTS[stream], source, root, cursor, hi)
        async for page in pages:
            yield page

    async def _upper_bound(self) -> datetime:
        """``hi`` of this pass: the org's clock (asked once: the allowance it has left, whose
        answer is dated) less the lag, in whole seconds as SOQL literals are."""
        if self._hi is None:
            _, root = await self._source()
            await check_allowance(self._api, root)
            now = self._api.provider_now().astimezone(UTC).replace(microsecond=0)
            self._hi = now - LAG
        return self._hi

    async def _source(self) -> tuple[normalise.Source, str]:
        instance = (await self._api.base()).split("/services/data/")[0].rstrip("/")
        connection = self._plan.connection
        account = connection.external_account or ""  # "<org id>/<user id>"
        source = normalise.Source(
            scope=str(connection.id),
            org=account.split("/")[0] or str(connection.id),
            instance_url=instance,
        )
        return source, f"{instance}/services/data/{API_VERSION}"

    async def _window(
        self,
        spec: ObjectStream,
        source: normalise.Source,
        root: str,
        raw: bytes | None,
        hi: datetime,
    ) -> AsyncIterator[SyncPage]:
        cursor = decode_cursor(raw, ModstampCursor) or ModstampCursor(at=self._plan.since)
        if cursor.at >= hi:
            return
        url, expired = f"{root}/query", 0
        params: dict[str, str] | None = _query(spec, cursor, hi)
        while True:
            answer = await self._api.get(url, params=params, headers=_batch(), expect=(400,))
            if answer.status == 400:
                if params is not None or error_code(answer) != INVALID_QUERY_LOCATOR:
                    raise refused(answer)
                expired += 1
                if expired > LOCATOR_RESTARTS:
                    raise SourceUnavailable("query_locator_expired")
                # The rest of the window, from the cursor last stored, in a fresh query.
                url, params = f"{root}/query", _query(spec, cursor, hi)
                continue
            page = answer.decode(spec.page)
            fresh: list[Record] = [r for r in page.records if cursor.before(r)]
            cursor = _advanced(cursor, fresh, hi if page.done else None)
            yield SyncPage(
                batch=spec.normalise(source, fresh),
                cursor=encode_cursor(cursor),
                position=cursor.at,
                fetched=len(page.records),
            )
            if page.done or not page.next_records_url:
                return
            url, params, expired = _instance(root) + page.next_records_url, None, 0


def _query(spec: ObjectStream, cursor: ModstampCursor, hi: datetime) -> dict[str, str]:
    return {"q": soql.window(spec.sobject, spec.fields, cursor.at, hi)}


def _advanced(cursor: ModstampCursor, fresh: list[Record], end: datetime | None) -> ModstampCursor:
    """After the window's last page the cursor stands at its end: everything before ``hi`` is
    stored, and a record modified at ``hi`` itself sorts after ``(hi, "")``."""
    if end is not None:
        return ModstampCursor(at=end)
    if not fresh:
        return cursor
    return ModstampCursor(at=fresh[-1].system_modstamp, id=fresh[-1].id)


def _instance(root: str) -> str:
    return root.split("/services/data/")[0]


def _batch() -> dict[str, str]:
    return {"Sforce-Query-Options": f"batchSize={BATCH_SIZE}"}


def build(plan: ReadPlan, api: ProviderApi, known: KnownRecords) -> SourceReader:
    return SalesforceReader(plan, api, known)
