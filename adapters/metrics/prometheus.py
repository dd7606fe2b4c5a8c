"""The metrics in the Prometheus format, in a registry of their own (one per container).

Every series is labelled only by values from a fixed set: route templates (never a path), HTTP
methods and statuses, provider keys, outcomes. ``docs/operations.md`` says what each means.
"""

from __future__ import annotations

import asyncio
import logging
from asyncio import AbstractEventLoop
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, Protocol, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from adapters.postgres.queue_census import PostgresQueueCensus
from domain.sync.run import SyncRun

log = logging.getLogger("atlas.metrics")
T = TypeVar("T")
# Up to a minute: API requests, slow exports and imports end in their own histograms.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Watched(Protocol):
    """A process-map cache (``ByteBudget``): what it holds and how often it answered."""

    @property
    def used(self) -> int: ...

    hits: int
    misses: int


class QueueCollector(Collector):
    """Reads the job queue when scraped: the scrape's thread asks the process's event loop,
    which owns the database pool, and waits a few seconds at most."""

    def __init__(self, census: PostgresQueueCensus, loop: AbstractEventLoop) -> None:
        self._census, self._loop = census, loop

    def describe(self) -> list[GaugeMetricFamily]:
        return []  # registering must not read the queue (that would wait on its own loop)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            kinds = self._ask(self._census.kinds())
            fresh = self._ask(self._census.freshness())
        except Exception as error:  # a scrape goes on without these figures
            log.warning("metrics: the job queue could not be read (%r)", error)
            return
        depth = GaugeMetricFamily(
            "atlas_queue_jobs", "Jobs in the queue by kind and state", labels=("kind", "state")
        )
        oldest = GaugeMetricFamily(
            "atlas_queue_oldest_ready_seconds",
            "How long the oldest ready job of a kind has waited", labels=("kind",),
        )  # fmt: skip
        for kind in kinds:
            depth.add_metric((kind.kind, "queued"), kind.queued)
            depth.add_metric((kind.kind, "running"), kind.running)
            oldest.add_metric((kind.kind,), kind.oldest_ready_seconds)
        stale = GaugeMetricFamily(
            "atlas_sync_stalest_seconds", "Per provider, how long since the stalest active "
            "connection's last successful sync (or its creation)", labels=("provider",),
        )  # fmt: skip
        active = GaugeMetricFamily(
            "atlas_connections_active", "Active connections, by provider", labels=("provider",)
        )
        for provider in fresh:
            stale.add_metric((provider.provider,), provider.stalest_seconds)
            active.add_metric((provider.provider,), provider.connections)
        yield from (depth, oldest, stale, active)

    def _ask(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(5)


class PrometheusMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._queue: QueueCollector | None = None
        r = self.registry
        self.http_requests = Counter(
            "atlas_http_requests", "HTTP requests answered, by route template and status",
            ("route", "method", "status"), registry=r,
        )  # fmt: skip
        self.http_seconds = Histogram(
            "atlas_http_request_duration_seconds", "Time to answer an HTTP request",
            ("route", "method"), buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.provider_calls = Counter(
            "atlas_provider_calls", "Calls to providers' APIs, by provider and HTTP status "
            "(timeout and network for no answer)", ("provider", "status"), registry=r,
        )  # fmt: skip
        self.provider_waits = Counter(
            "atlas_provider_wait_seconds", "Seconds connectors waited before retrying a "
            "provider (Retry-After and backoff)", ("provider",), registry=r,
        )  # fmt: skip
        self.sync_runs = Counter(
            "atlas_sync_runs", "Sync runs ended, by provider and outcome",
            ("provider", "outcome"), registry=r,
        )  # fmt: skip
        self.sync_records = Counter(
            "atlas_sync_records", "Records synced (new, changed or deleted), by provider",
            ("provider",), registry=r,
        )  # fmt: skip
        self.sync_pages = Counter(
            "atlas_sync_pages", "Provider pages read by sync runs", ("provider",), registry=r
        )

        self.feed_events = Counter(
            "atlas_feed_events_offered", "Feed events offered to sockets (one per socket)",
            registry=r,
        )  # fmt: skip
        self.feed_latency = Histogram(
            "atlas_feed_delivery_latency_seconds", "From an event's commit to its offer to the "
            "sockets of its tenant", buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.token_refreshes = Counter(
            "atlas_token_refreshes", "Token refreshes at providers, by provider and outcome",
            ("provider", "outcome"), registry=r,
        )  # fmt: skip
        self.import_seconds = Histogram(
            "atlas_import_duration_seconds", "Import jobs, by outcome: how long each ran",
            ("outcome",), buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600), registry=r,
        )  # fmt: skip
        self.feed_subscribers = Gauge(
            "atlas_feed_subscribers", "Feed sockets open on this process", registry=r
        )
        self.map_cache_bytes = Gauge(
            "atlas_map_cache_bytes", "Bytes the process-map cache holds", registry=r
        )
        self.map_cache_lookups = Gauge(
            "atlas_map_cache_lookups", "Process-map cache lookups since start, by result "
            "(hit or miss; the ratio is hit / (hit + miss))", ("result",), registry=r,
        )  # fmt: skip

    def watch(self, subscribers: Callable[[], int], cache: Watched | None) -> None:
        """Read on each scrape: the feed's open sockets, the map cache's bytes and lookups."""
        self.feed_subscribers.set_function(subscribers)
        if cache is not None:
            self.map_cache_bytes.set_function(lambda: cache.used)
            self.map_cache_lookups.labels("hit").set_function(lambda: cache.hits)
            self.map_cache_lookups.labels("miss").set_function(lambda: cache.misses)

    def watch_queue(self, census: PostgresQueueCensus, loop: AbstractEventLoop) -> None:
        if self._queue is None:
            self._queue = QueueCollector(census, loop)
            self.registry.register(self._queue)

    def http_answered(self, route: str, method: str, status: int, seconds: float) -> None:
        self.http_requests.labels(route, method, str(status)).inc()
        self.http_seconds.labels(route, method).observe(seconds)

    def provider_answered(self, provider: str, status: str) -> None:
        self.provider_calls.labels(provider, status).inc()

    def provider_waited(self, provider: str, seconds: float) -> None:
        self.provider_waits.labels(provider).inc(max(0.0, seconds))

    def sync_ended(self, run: SyncRun) -> None:
        records = sum(s.records_new + s.records_changed + s.records_deleted for s in run.streams)
        self.sync_runs.labels(run.provider, run.status.value).inc()
        self.sync_records.labels(run.provider).inc(records)
        self.sync_pages.labels(run.provider).inc(sum(s.pages for s in run.streams))

    def token_refreshed(self, provider: str, outcome: str) -> None:
        self.token_refreshes.labels(provider, outcome).inc()

    def import_ended(self, outcome: str, seconds: float) -> None:
        self.import_seconds.labels(outcome).observe(seconds)

    def feed_offered(self, sockets: int, latency_seconds: float) -> None:
        self.feed_events.inc(sockets)
        self.feed_latency.observe(max(0.0, latency_seconds))
