"""The API process's one LISTEN connection, kept open for as long as the process runs.

It hears ``atlas_feed`` (``<tenant>:<seq>``) and ``atlas_sessions`` (``<tenant>:<user>``) and
passes them to the hub. It notices a dropped connection at once (asyncpg's termination
callback) or within ``health_seconds`` (a silent network: a probe query that times out), then
reconnects with backoff. Every (re)connection ends with ``hub.resume()``: notices sent while
nobody listened are gone, but the events are in the outbox, so the hub reads each tenant again
from where it stood and every socket checks its session again. Nothing is lost, only late.

Litestar's channels plugin was not used: its PostgreSQL backends open a connection per
publish, keep no history and do not re-establish a dropped listener (``docs/feed.md``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from uuid import UUID

import asyncpg

from adapters.postgres.outbox import FEED_CHANNEL, SESSIONS_CHANNEL
from adapters.postgres.url import DatabaseUrl
from application.feed.hub import FeedHub
from domain.shared.ids import TenantId, UserId

log = logging.getLogger("atlas.feed")

LISTENER_NAME = "atlas-feed-listener"  # how operators (and tests) find it in pg_stat_activity
_FAULTS = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


class FeedListener:
    def __init__(
        self,
        url: DatabaseUrl,
        hub: FeedHub,
        *,
        health_seconds: float = 5.0,
        backoff_max_seconds: float = 5.0,
    ) -> None:
        self._url, self._hub = url, hub
        self._health, self._backoff_max = health_seconds, backoff_max_seconds
        self.connected = asyncio.Event()
        self.connections = 0  # how many times it (re)connected: for tests and status
        self._lost = asyncio.Event()

    async def run(self) -> None:
        """Listen until cancelled."""
        backoff = 0.1
        while True:
            connection: asyncpg.Connection | None = None
            try:
                connection = opened = await asyncio.wait_for(
                    asyncpg.connect(
                        **self._url.asyncpg_kwargs(),
                        server_settings={"application_name": LISTENER_NAME},
                    ),
                    self._health * 2,
                )
                self._lost.clear()
                opened.add_termination_listener(lambda _c: self._lost.set())
                await opened.add_listener(FEED_CHANNEL, self._on_feed)
                await opened.add_listener(SESSIONS_CHANNEL, self._on_session)
                self.connections += 1
                self.connected.set()
                await self._hub.resume()
                backoff = 0.1
                await self._watch(opened)
            except _FAULTS:
                log.warning("feed: the listener lost the database; reconnecting", exc_info=True)
            finally:
                self.connected.clear()
                if connection is not None:
                    connection.terminate()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self._backoff_max)

    async def _watch(self, connection: asyncpg.Connection) -> None:
        while not self._lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lost.wait(), self._health)
                return
            await asyncio.wait_for(connection.fetchval("SELECT 1"), self._health)

    def _on_feed(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        tenant, _, seq = payload.partition(":")
        try:
            self._hub.notice(TenantId(UUID(tenant)), int(seq))
        except ValueError:
            log.warning("feed: ignored a malformed notice")

    def _on_session(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        tenant, _, user = payload.partition(":")
        try:
            self._hub.session_notice(TenantId(UUID(tenant)), UserId(UUID(user)))
        except ValueError:
            log.warning("feed: ignored a malformed session notice")
