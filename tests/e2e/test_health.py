"""Liveness and readiness through the HTTP API, on the fake harness."""

from __future__ import annotations

from pathlib import Path

from litestar.testing import AsyncTestClient

from application.shared.ports import Readiness
from tests.e2e.harness import build, harness_settings


async def test_health_answers_while_the_process_lives(tmp_path: Path) -> None:
    app, _ = build(harness_settings(tmp_path))

    async with AsyncTestClient(app) as client:
        response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_reports_the_database_state(tmp_path: Path) -> None:
    app, container = build(harness_settings(tmp_path))

    async with AsyncTestClient(app) as client:
        ready = await client.get("/ready")
        container.adapters().database_probe().readiness = Readiness(
            reachable=True, schema_current=False, detail="schema at 0000, code expects 0001"
        )
        stale = await client.get("/ready")

    assert ready.status_code == 200
    assert stale.status_code == 503
    assert stale.headers["content-type"].startswith("application/problem+json")
    assert stale.headers["retry-after"] == "5"
    assert stale.json()["code"] == "service.not_ready"
    assert stale.json()["detail"] == "schema at 0000, code expects 0001"


async def test_load_balancers_probing_with_head_get_the_same_statuses(tmp_path: Path) -> None:
    app, container = build(harness_settings(tmp_path))

    async with AsyncTestClient(app) as client:
        alive = await client.head("/health")
        ready = await client.head("/ready")
        container.adapters().database_probe().readiness = Readiness(
            reachable=False, schema_current=False, detail="database unreachable"
        )
        alive_without_database = await client.head("/health")
        not_ready = await client.head("/ready")

    assert (alive.status_code, ready.status_code) == (200, 200)
    assert alive_without_database.status_code == 200
    assert not_ready.status_code == 503
    assert not_ready.headers["retry-after"] == "5"
    assert alive.content == ready.content == b""


async def test_an_unknown_path_is_a_problem_document(tmp_path: Path) -> None:
    app, _ = build(harness_settings(tmp_path))

    async with AsyncTestClient(app) as client:
        response = await client.get("/no/such/thing")

    assert response.status_code == 404
    assert response.json()["code"] == "http.not_found"
