"""Jira Cloud, read incrementally: JQL over ``updated`` in the user's time zone, and a daily
reconciliation of issue ids, Jira having no deletion feed.

One stream, ``issues``. A pass reads the window ``[cursor - 1 min, now - 60 s)`` from
``/search/jql``, oldest change first, 100 issues a page with only the fields Atlas keeps and
their changelog (a search embeds 40 histories at most: a longer one is read from the issue's
changelog). JQL dates have minute precision and are read in the authorizing user's time zone
(``/myself``), so the bounds are written in that zone, rounded down, and the minute before the
cursor is read again: upserts make the overlap harmless. The cursor is the newest ``updated``
stored, never beyond the window's end (the provider's ``Date`` minus the lag).

A page token refused mid-window (400: it expired after 7 days, or is invalid) restarts the
window from the committed cursor, and the reconciliation runs at the end of that pass.

Deletions: a deleted issue simply vanishes from search. Once a day (and after a restart) the
pass lists the id of every issue updated since the first backfill began (``fields=id``, 5,000
a page) and removes the stored issues that are missing, with their history. Trade-offs: a
deletion shows up to a day late (listing every id on every pass would cost one request per
5,000 issues every few minutes); an issue moved out of the user's sight counts as deleted;
and a cursor lost and rebuilt starts its floor at the new backfill, so issues last updated
before it leave the graph (a fresh connection would not have them either).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec

from adapters.connectors.api import ApiResponse, ProviderApi
from adapters.connectors.cursors import decode_cursor, encode_cursor
from adapters.connectors.jira import jql, normalise
from adapters.connectors.jira.records import (
    ChangelogPage,
    History,
    IdPage,
    Issue,
    Myself,
    SearchPage,
)
from application.sync.ports import KnownRecords, ReadPlan, SourceReader
from domain.sync.errors import SourceUnavailable
from domain.sync.page import SyncPage

STREAM = "issues"
# What the search asks for: never summary, description, comment, attachment, environment.
FIELDS = (
    "project",
    "issuetype",
    "status",
    "priority",
    "assignee",
    "reporter",
    "labels",
    "created",
    "updated",
    "resolutiondate",
)
PAGE, ID_PAGE, HISTORY_PAGE = 100, 5000, 100
LAG = timedelta(seconds=60)
OVERLAP = timedelta(minutes=1)  # JQL reads minutes: the cursor's own minute, and one more
RECONCILE_EVERY = timedelta(hours=24)
RESTARTS = 3  # refused page tokens in one pass before the run waits and comes back


class IssueCursor(msgspec.Struct, frozen=True, kw_only=True):
    updated: datetime  # the newest ``updated`` stored (provider time)
    floor: datetime  # where the first window began: the reconciliation lists from here
    reconciled_at: datetime | None = None  # the last reconciliation (provider time); None: due

    def reconcile_due(self, now: datetime) -> bool:
        return self.reconciled_at is None or now - self.reconciled_at >= RECONCILE_EVERY


@dataclass(frozen=True)
class _Site:
    api: str  # https://api.atlassian.com/ex/jira/{cloudid}/rest/api/3
    zone: ZoneInfo  # the authorizing user's: JQL dates are read in it
    source: normalise.Source


class JiraReader(SourceReader):
    def __init__(self, plan: ReadPlan, api: ProviderApi, known: KnownRecords) -> None:
        self._plan, self._api, self._known = plan, api, known

    async def streams(self) -> Sequence[str]:
        return (STREAM,)

    async def read(self, stream: str, cursor: bytes | None) -> AsyncIterator[SyncPage]:
        site = await self._site()  # first: its Date header sets the provider's clock
        at = decode_cursor(cursor, IssueCursor) or IssueCursor(
            updated=self._plan.since, floor=self._plan.since - OVERLAP
        )
        hi = self._api.provider_now() - LAG
        async for page, moved in self._window(site, at, hi):
            at = moved
            yield page
        if at.reconcile_due(self._api.provider_now()):
            yield await self._reconcile(site, at)

    async def _site(self) -> _Site:
        api = f"{(await self._api.base()).rstrip('/')}/rest/api/3"
        me = (await self._api.get(f"{api}/myself")).decode(Myself)
        connection = self._plan.connection
        site = (connection.external_account or str(connection.id)).rstrip("/")
        source = normalise.Source(scope=str(connection.id), site=site)
        return _Site(api=api, zone=jql.user_zone(me.timeZone), source=source)

    async def _window(
        self, site: _Site, cursor: IssueCursor, hi: datetime
    ) -> AsyncIterator[tuple[SyncPage, IssueCursor]]:
        query, token, restarts = jql.window(cursor.updated - OVERLAP, hi, site.zone), None, 0
        while True:
            fields = ",".join(FIELDS)
            answer = await self._search(site, query, token, fields, PAGE, expand="changelog")
            if answer is None:  # again from the committed cursor, then reconcile
                restarts += 1
                if restarts > RESTARTS:
                    raise SourceUnavailable("page_token_refused")
                cursor = msgspec.structs.replace(cursor, reconciled_at=None)
                query, token = jql.window(cursor.updated - OVERLAP, hi, site.zone), None
                continue
            page = answer.decode(SearchPage)
            records = [(issue, await self._histories(site, issue)) for issue in page.issues]
            changes = [i.fields.updated for i in page.issues if i.fields.updated is not None]
            newest = max((cursor.updated, *changes))
            cursor = msgspec.structs.replace(cursor, updated=min(newest, hi))
            yield (
                SyncPage(
                    batch=normalise.issues(site.source, records),
                    cursor=encode_cursor(cursor),
                    position=cursor.updated,
                    fetched=len(page.issues),
                ),
                cursor,
            )
            if page.nextPageToken is None:
                return
            token = page.nextPageToken

    async def _search(
        self,
        site: _Site,
        query: str,
        token: str | None,
        fields: str,
        size: int,
        *,
        expand: str | None = None,
    ) -> ApiResponse | None:
        """One page of a search; None when Jira refuses the page token."""
        params = [("jql", query), ("fields", fields), ("maxResults", str(size))]
        params += [("expand", expand)] if expand else []
        params += [("nextPageToken", token)] if token else []
        answer = await self._api.get(
            f"{site.api}/search/jql", params=params, expect=(400,) if token else ()
        )
        return None if answer.status == 400 else answer

    async def _histories(self, site: _Site, issue: Issue) -> Sequence[History]:
        embedded = issue.changelog
        if embedded is not None and embedded.total <= len(embedded.histories):
            return embedded.histories
        values: list[History] = []
        while True:
            params = {"startAt": str(len(values)), "maxResults": str(HISTORY_PAGE)}
            answer = await self._api.get(
                f"{site.api}/issue/{issue.id}/changelog", params=params, expect=(404,)
            )
            if answer.status == 404:  # deleted since the search: the reconciliation removes it
                return values
            page = answer.decode(ChangelogPage)
            values += page.values
            if page.isLast or not page.values or len(values) >= page.total:
                return values

    async def _reconcile(self, site: _Site, cursor: IssueCursor) -> SyncPage:
        listed = await self._listed(site, cursor.floor)
        known = await self._known.entity_ids("issue")
        done = msgspec.structs.replace(cursor, reconciled_at=self._api.provider_now())
        return SyncPage(
            removals=normalise.vanished(site.source, known, listed),
            cursor=encode_cursor(done),
            position=cursor.updated,
            fetched=len(listed),
        )

    async def _listed(self, site: _Site, floor: datetime) -> set[str]:
        """The id of every issue updated since ``floor``; a refused page token starts over."""
        query, token, restarts, ids = jql.since(floor, site.zone), None, 0, set[str]()
        while True:
            answer = await self._search(site, query, token, "id", ID_PAGE)
            if answer is None:
                restarts += 1
                if restarts > RESTARTS:
                    raise SourceUnavailable("page_token_refused")
                token = None
                continue
            page = answer.decode(IdPage)
            ids.update(issue.id for issue in page.issues)
            if page.nextPageToken is None:
                return ids
            token = page.nextPageToken


def build(plan: ReadPlan, api: ProviderApi, known: KnownRecords) -> SourceReader:
    return JiraReader(plan, api, known)
