"""Slack, read incrementally with a user token: people, public channels, each channel's messages.

Streams, in order: ``users`` (``users.list``, read whole each pass), ``channels``
(``conversations.list?types=public_channel``, read whole; a channel no longer listed was
deleted, and goes with its messages and threads), then one ``messages:<channel id>`` stream per
public channel with its own cursor (history.py). Private channels, DMs and group DMs are never
listed nor read: that needs a product decision first. ``streams()`` asks Slack for the channels,
so a channel created since the last run gets its stream at once. Channels are independent:
the engine reads a few at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Protocol, TypeVar

from adapters.connectors.api import ProviderApi
from adapters.connectors.slack import normalise
from adapters.connectors.slack.history import ChannelHistory
from adapters.connectors.slack.records import Channel, ChannelPage, MemberPage, Meta, Workspace
from application.sync.ports import KnownRecords, ReadPlan, SourceReader
from domain.graph.model import Removal
from domain.sync.errors import SourceRefused
from domain.sync.page import SyncPage

LISTING_PAGE = 200
MAX_RESTARTS = 3
MESSAGES = "messages:"


class _Listed(Protocol):
    @property
    def error(self) -> str | None: ...

    @property
    def response_metadata(self) -> Meta: ...


L = TypeVar("L", bound=_Listed)


class SlackReader(SourceReader):
    def __init__(self, plan: ReadPlan, api: ProviderApi, known: KnownRecords) -> None:
        self._plan, self._api, self._known = plan, api, known
        self._source: normalise.Source | None = None
        self._channels: list[Channel] | None = None

    async def streams(self) -> Sequence[str]:
        channels = await self._public_channels()
        return ("users", "channels", *(MESSAGES + c.id for c in channels))

    def independent(self, stream: str) -> bool:
        # A channel's messages depend on no other channel's; people and channels come first.
        return stream.startswith(MESSAGES)

    async def read(self, stream: str, cursor: bytes | None) -> AsyncIterator[SyncPage]:
        source = await self._workspace()
        if stream == "users":
            async for members in self._listing("users.list", {}, MemberPage):
                batch = normalise.users(source, members.members)
                yield SyncPage(batch=batch, fetched=len(members.members))
        elif stream == "channels":
            yield await self._channel_page(source)
        elif stream.startswith(MESSAGES):
            channel = stream.removeprefix(MESSAGES)
            history = ChannelHistory(self._api, source, channel, self._plan.since, self._known)
            async for page in history.read(cursor):
                yield page
        else:
            raise SourceRefused("unknown_stream")

    async def _workspace(self) -> normalise.Source:
        """Who the connection reads for: its workspace (team) and the workspace's address."""
        if self._source is None:
            url = f"{await self._api.base()}/auth.test"
            found = (await self._api.get(url)).decode(Workspace)
            connection = self._plan.connection
            # external_account is "<team id>:<user id>" (token_responses.py).
            team = (connection.external_account or "").partition(":")[0]
            self._source = normalise.Source(
                scope=str(connection.id),
                team=team or found.team_id or str(connection.id),
                web_base=(found.url or "https://slack.com").rstrip("/"),
            )
        return self._source

    async def _public_channels(self) -> list[Channel]:
        if self._channels is None:
            found: dict[str, Channel] = {}
            params = {"types": "public_channel", "exclude_archived": "false"}
            async for page in self._listing("conversations.list", params, ChannelPage):
                for channel in page.channels:
                    # Asked for public channels only; checked again, never trusted.
                    if not (channel.is_private or channel.is_im or channel.is_mpim):
                        found.setdefault(channel.id, channel)
            self._channels = list(found.values())
        return self._channels

    async def _channel_page(self, source: normalise.Source) -> SyncPage:
        """Every public channel, and removals of the stored ones Slack no longer lists."""
        channels = await self._public_channels()
        listed = {c.id for c in channels}
        gone = {
            source_id.removeprefix("channel:")
            for source_id in await self._known.entity_ids("channel")
        } - listed
        threads = await self._known.entity_ids("slack_thread") if gone else set()
        removals = [Removal(ref=source.channel(c), kind="entity") for c in sorted(gone)]
        removals += [
            Removal(ref=source.ref(t), kind="entity")
            for t in sorted(threads)
            if t.split(":")[1] in gone
        ]
        batch = normalise.channels(source, channels)
        return SyncPage(batch=batch, removals=tuple(removals), fetched=len(channels))

    async def _listing(
        self, method: str, params: dict[str, str], kind: type[L]
    ) -> AsyncIterator[L]:
        """A cursor-paged listing, whole; an expired page cursor starts it over (the pages
        already handed out are upserted again, harmlessly)."""
        url = f"{await self._api.base()}/{method}"
        page_cursor, restarts = "", 0
        while True:
            sent = {**params, "limit": str(LISTING_PAGE)}
            if page_cursor:
                sent["cursor"] = page_cursor
            page = (await self._api.get(url, params=sent)).decode(kind)
            if page.error == "invalid_cursor":
                restarts += 1
                if restarts > MAX_RESTARTS:
                    raise SourceRefused("invalid_cursor")
                page_cursor = ""
                continue
            if page.error is not None:
                raise SourceRefused(page.error)
            yield page
            page_cursor = page.response_metadata.next_cursor
            if not page_cursor:
                return


def build(plan: ReadPlan, api: ProviderApi, known: KnownRecords) -> SourceReader:
    return SlackReader(plan, api, known)
