"""The metrics listener: Prometheus's text format on ``ATLAS_METRICS_ADDRESS``, never the
public port (the API answers ``/metrics`` with 404).

Default ``127.0.0.1:9464``: the operators' agent scrapes from the same machine, or the address
is set to the internal network's. Each process serves its own (API and worker processes on one
machine each need their own port). A port already taken is logged as an error and the process
goes on: the API must not go down for its metrics.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import start_http_server

from adapters.metrics.prometheus import PrometheusMetrics
from adapters.postgres.queue_census import PostgresQueueCensus
from entrypoints.container import Application
from entrypoints.http.di import resolve

log = logging.getLogger("atlas.metrics")


@contextmanager
def metrics_served(
    address: tuple[str, int] | None, metrics: PrometheusMetrics
) -> Iterator[tuple[str, int] | None]:
    """Serve while inside; yields the bound address (a port of 0 picks one), or None."""
    if address is None:
        yield None
        return
    host, port = address
    try:
        server, thread = start_http_server(port, host, registry=metrics.registry)
    except OSError as error:
        log.error("metrics listener not started on %s:%s: %s", host, port, error.strerror)
        yield None
        return
    bound = server.server_address
    log.info("metrics on http://%s:%s/metrics", bound[0], bound[1])
    try:
        yield str(bound[0]), int(bound[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


async def watch_process(container: Application) -> None:
    """What the metrics read on each scrape: this process's feed sockets and map cache, and the
    job queue (real database only)."""
    metrics = container.adapters.metrics()
    hub = await resolve(container.adapters.feed_hub)
    hub.metrics = metrics
    maps = await resolve(container.adapters.process_maps)
    metrics.watch(lambda: hub.subscribers, getattr(maps, "cache", None))
    sessions = container.adapters().providers.get("sessions")  # the real adapter set only
    if sessions is not None:
        census = PostgresQueueCensus(await resolve(sessions))
        metrics.watch_queue(census, asyncio.get_running_loop())
