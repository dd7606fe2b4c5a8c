"""The operators' metrics, read from the metrics listener over HTTP as Prometheus would: HTTP
requests by route template, sync runs and provider calls by provider; never on the public port,
and bounded however many ids and tenants the traffic names."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families

from adapters.sandbox.faults import FaultRule, RateLimit
from entrypoints.metrics_listener import metrics_served
from tests.e2e.connect_flow import person
from tests.e2e.harness import bearer, build, harness_settings
from tests.factories.sync_rig import sync_rig

pytestmark = pytest.mark.e2e
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@contextmanager
def scraped(container: Any) -> Iterator[Callable[[], Samples]]:
    """A listener on a free port; ``scrape()`` reads it as Prometheus does."""
    metrics = container.adapters.metrics()
    with metrics_served(("127.0.0.1", 0), metrics) as bound:
        assert bound is not None

        def scrape() -> Samples:
            text = httpx.get(f"http://{bound[0]}:{bound[1]}/metrics", timeout=10).text
            return {
                (s.name, frozenset(s.labels.items())): s.value
                for family in text_string_to_metric_families(text)
                for s in family.samples
            }

        yield scrape


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def series(samples: Samples, name: str) -> list[dict[str, str]]:
    return [dict(labels) for (n, labels) in samples if n == name]


async def test_requests_are_counted_by_route_template_and_the_public_port_has_no_metrics(
    tmp_path: Path,
) -> None:
    app, container = build(harness_settings(tmp_path))
    with scraped(container) as scrape:
        async with AsyncTestClient(app, base_url="https://127.0.0.1:8443") as client:
            before = scrape()
            for _ in range(3):
                assert (await client.get("/health")).status_code == 200
            public = await client.get("/metrics")
            me = await client.get("/api/v1/connections", headers=bearer(container, person()))
        after = scrape()

    name = "atlas_http_requests_total"
    assert (
        value(after, name, route="/health", method="GET", status="200")
        - value(before, name, route="/health", method="GET", status="200")
        == 3
    )
    assert public.status_code == 404
    assert value(after, name, route="unmatched", method="GET", status="404") == 1
    assert value(after, name, route="/api/v1/connections", method="GET", status="200") == 1
    assert me.status_code == 200
    buckets = value(
        after, "atlas_http_request_duration_seconds_count", route="/health", method="GET"
    )
    assert buckets >= 3


async def test_a_thousand_ids_and_a_hundred_tenants_add_no_series_beyond_the_templates(
    tmp_path: Path,
) -> None:
    app, container = build(harness_settings(tmp_path))
    with scraped(container) as scrape:
        async with AsyncTestClient(app, base_url="https://127.0.0.1:8443") as client:
            tenants = [bearer(container, person()) for _ in range(100)]
            for n in range(1000):
                await client.get(f"/api/v1/graph/entities/{uuid4()}", headers=tenants[n % 100])
            for headers in tenants:
                await client.get("/api/v1/connections", headers=headers)
        samples = scrape()

    requests = series(samples, "atlas_http_requests_total")
    routes = {s["route"] for s in requests}
    assert routes == {"/api/v1/graph/entities/{entity_id}", "/api/v1/connections"}
    assert len(requests) <= 4  # route x method x the statuses seen: nothing per id or tenant
    assert all(set(s) == {"route", "method", "status"} for s in requests)


async def test_a_sync_and_a_throttled_provider_call_move_the_sync_and_provider_metrics(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        with scraped(rig.container) as scrape:
            connection = await rig.connect("hubspot")
            rig.sandbox.faults.add(
                FaultRule(
                    provider="hubspot",
                    path="/crm/v3/objects/deals/search",
                    fault=RateLimit(retry_after=7),
                    times=2,
                )
            )
            run = await rig.sync(connection)
            rig.container.adapters.clock().advance(timedelta(hours=1))  # its token expired
            again = await rig.sync(connection)
            samples = scrape()

    assert (run.status.value, again.status.value) == ("succeeded", "succeeded")
    assert value(samples, "atlas_sync_runs_total", provider="hubspot", outcome="succeeded") == 2
    refreshed = {"provider": "hubspot", "outcome": "refreshed"}
    assert value(samples, "atlas_token_refreshes_total", **refreshed) == 1
    assert value(samples, "atlas_sync_records_total", provider="hubspot") > 0
    assert value(samples, "atlas_sync_pages_total", provider="hubspot") > 0
    assert value(samples, "atlas_provider_calls_total", provider="hubspot", status="429") == 2
    assert value(samples, "atlas_provider_calls_total", provider="hubspot", status="200") > 2
    assert value(samples, "atlas_provider_wait_seconds_total", provider="hubspot") >= 14
    tenants = [s for s in samples if any(k in dict(s[1]) for k in ("tenant", "connection"))]
    assert tenants == []
