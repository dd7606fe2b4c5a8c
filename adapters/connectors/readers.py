"""The connectors by provider: each builds the reader of one connection's provider.

A connector is a reader (paging the provider's API from a cursor, incremental by the
provider's own mechanism) and a normaliser (pure functions from the provider's records to
graph records, keeping an explicit allow-list of metadata fields). Connectors talk to the
provider only through ``ProviderApi``: token, total deadline, retries and refusals are its.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping

import httpx
import msgspec

from adapters.connectors.api import DEFAULT_DEADLINE_SECONDS, Classifier, ProviderApi, Sleep
from application.shared.metrics import Metrics
from application.shared.ports import Clock
from application.sync.ports import (
    AccessSource,
    KnownRecords,
    ReadPlan,
    SourceReader,
    SourceReaders,
)
from domain.sync.errors import UnsupportedProvider

ReaderFactory = Callable[[ReadPlan, ProviderApi, KnownRecords], SourceReader]


class Connector(msgspec.Struct, frozen=True, kw_only=True):
    build: ReaderFactory
    classify: Classifier | None = None  # the provider's own reading of its answers


class ProviderReaders(SourceReaders):
    def __init__(
        self,
        http: httpx.AsyncClient,
        clock: Clock,
        connectors: Mapping[str, Connector],
        *,
        deadline_seconds: float = DEFAULT_DEADLINE_SECONDS,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self._http, self._clock, self._connectors = http, clock, dict(connectors)
        self._deadline, self._sleep, self._rng = deadline_seconds, sleep, rng
        self._metrics = metrics

    def supports(self, provider: str) -> bool:
        return provider in self._connectors

    def reader(self, plan: ReadPlan, access: AccessSource, known: KnownRecords) -> SourceReader:
        connector = self._connectors.get(plan.connection.provider)
        if connector is None:
            raise UnsupportedProvider(provider=plan.connection.provider)
        api = ProviderApi(
            self._http,
            access,
            self._clock,
            classify=connector.classify,
            deadline_seconds=self._deadline,
            sleep=self._sleep,
            rng=self._rng,
            provider=plan.connection.provider,
            metrics=self._metrics,
        )
        return connector.build(plan, api, known)
