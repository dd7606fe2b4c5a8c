"""One running sandbox: its clock, clients, token memory, faults, cursors and seeded company."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from litestar import Request

from adapters.sandbox.calls import CallLog
from adapters.sandbox.clients import ClientRegistry
from adapters.sandbox.clock import MovableClock
from adapters.sandbox.config import Provider, SandboxConfig
from adapters.sandbox.cursors import CursorBook
from adapters.sandbox.faults import FaultBook
from adapters.sandbox.mutations import Mutations
from adapters.sandbox.oauth.codes import CodeDesk
from adapters.sandbox.oauth.store import TokenStore
from adapters.sandbox.seed.dataset import Dataset
from adapters.sandbox.stats import Stats
from application.shared.ports import Clock

Sleep = Callable[[float], Awaitable[None]]


@lru_cache(maxsize=4)
def _generated(seed: int, start: datetime, days: int, bulk: int, scale: float) -> Dataset:
    # The dataset is immutable, so sandboxes built from the same inputs can share one.
    return Dataset.generate(
        seed=seed, start=start, days=days, hubspot_bulk_contacts=bulk, scale=scale
    )


class Sandbox:
    """State only; the HTTP surface is built around it by ``adapters.sandbox.app``.

    ``sleep`` is injectable so tests of slow responses and hung token endpoints never wait.
    """

    def __init__(self, config: SandboxConfig, clock: Clock, *, sleep: Sleep = asyncio.sleep):
        self.config = config
        self.clock = MovableClock(clock)
        self.stats = Stats()
        self.calls = CallLog()
        self.tokens = TokenStore(self.clock, self.stats)
        self.codes = CodeDesk(self.clock, self.tokens)
        self.clients = ClientRegistry(config.registrations)
        self.faults = FaultBook()
        self.cursors = CursorBook(self.clock)
        self.sleep = sleep
        self.withheld: dict[Provider, frozenset[str]] = {}
        self.mutations = Mutations()
        self._dataset: Dataset | None = None
        self._dataset_lock = threading.Lock()

    @property
    def dataset(self) -> Dataset:
        # Built on first use: an app that mounts the sandbox but never calls it pays nothing.
        with self._dataset_lock:
            if self._dataset is None:
                self._dataset = _generated(
                    self.config.seed,
                    self.config.data_start,
                    self.config.data_days,
                    self.config.hubspot_bulk_contacts,
                    self.config.scale,
                )
            return self._dataset

    def base_url(self, request: Request[Any, Any, Any], provider: Provider) -> str:
        """The public address of one provider inside this sandbox (no trailing slash)."""
        if self.config.public_base_url:
            return f"{self.config.public_base_url.rstrip('/')}/{provider}"
        scope = request.scope
        host = request.headers.get("host") or "127.0.0.1"
        return f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}/{provider}"
