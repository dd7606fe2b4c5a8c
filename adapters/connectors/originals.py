"""Originals: one record read live from its provider with its connection's token.

Each provider's ``originals`` module maps the kinds of record its connector writes (the prefix
of the source id) to the provider's single-record read, or to the nearest parent's when the
kind has none. The answer is handed back as the provider gave it, as a ``Secret`` so nothing
that logs a value can show it; it is never decoded into a log, an error or a store. The read is
interactive: a throttle that asks for more than a short wait ends it (the member is told when
to retry) instead of holding the request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Mapping

import httpx
import msgspec

from adapters.connectors.api import ApiResponse, ProviderApi, Sleep
from adapters.connectors.readers import Connector
from application.graph.original_ports import OriginalSource, RecordReference
from application.shared.metrics import Metrics
from application.shared.ports import Clock
from application.sync.ports import AccessSource
from domain.graph.errors import OriginalGone, OriginalUnavailable
from domain.integrations.connection import Connection
from domain.shared.secret import Secret
from domain.sync.errors import SourceRefused, SourceThrottled

ReadOne = Callable[[ProviderApi, Connection, RecordReference], Awaitable[ApiResponse]]
DEADLINE_SECONDS = 10.0  # a member is waiting
LONGEST_WAIT_SECONDS = 2.0  # a retry further away than this is the member's to make
GONE = (404, 410)


def kind_of(record: RecordReference) -> tuple[str, str]:
    """``("task", "00T...")`` of ``task:00T...``: the connector's kind prefix, and the rest."""
    kind, _, rest = record.ref.source_id.partition(":")
    return kind, rest


def found(response: ApiResponse, gone: Collection[int] = GONE) -> ApiResponse:
    """The answer, or ``OriginalGone`` when the provider says the record is no more."""
    if response.status in gone:
        raise OriginalGone()
    return response


def no_original() -> OriginalUnavailable:
    """A kind the provider has no record of its own for (a person known by an address only)."""
    return OriginalUnavailable()


class ProviderOriginals(OriginalSource):
    def __init__(
        self,
        http: httpx.AsyncClient,
        clock: Clock,
        readers: Mapping[str, ReadOne],
        connectors: Mapping[str, Connector],
        *,
        deadline_seconds: float = DEADLINE_SECONDS,
        sleep: Sleep = asyncio.sleep,
        metrics: Metrics | None = None,
    ) -> None:
        self._http, self._clock, self._readers = http, clock, dict(readers)
        self._connectors, self._deadline, self._sleep = connectors, deadline_seconds, sleep
        self._metrics = metrics

    def supports(self, provider: str) -> bool:
        return provider in self._readers

    async def fetch(
        self, connection: Connection, access: AccessSource, record: RecordReference
    ) -> Secret[bytes]:
        connector = self._connectors.get(connection.provider)
        api = ProviderApi(
            self._http,
            access,
            self._clock,
            classify=connector.classify if connector else None,
            deadline_seconds=self._deadline,
            sleep=self._wait,
            provider=connection.provider,
            metrics=self._metrics,
        )
        answer = await self._readers[connection.provider](api, connection, record)
        try:  # the answer is spliced into the member's as JSON: it must be JSON
            msgspec.json.decode(answer.content)
        except msgspec.DecodeError:
            raise SourceRefused("unreadable_response") from None
        return Secret(answer.content)

    async def _wait(self, seconds: float) -> None:
        if seconds > LONGEST_WAIT_SECONDS:
            raise SourceThrottled("retry_later", retry_after=seconds)
        await self._sleep(seconds)
