"""Schemathesis over the OpenAPI schema: no 5xx, and every answer matches what the schema says.

Runs in-process against the app on the fake adapters, bounded in examples per operation. Each
generated request carries a fresh access token of a signed-in owner (so authenticated
operations are reached), and the rate limiter is lifted so the fuzzer explores the endpoints
instead of the 429 (which has its own tests).
"""

from __future__ import annotations

import asyncio
import itertools
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from dependency_injector import providers
from hypothesis import HealthCheck, given, settings
from litestar import Litestar
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from application.identity.log_in import LogInCommand
from application.identity.ports import RateLimit, RateLimiter
from application.identity.sessions import Client
from domain.shared.secret import Secret
from entrypoints.container import Application
from tests.e2e.harness import build, harness_settings
from tests.factories.sessions import PASSWORD, World

pytestmark = pytest.mark.e2e

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
_addresses = (f"198.18.{n // 250}.{n % 250}" for n in itertools.count())
EMAIL = "fuzz@example.com"
EXAMPLES = 30  # per operation: about 600 requests, about ten seconds


class NoLimits(RateLimiter):
    async def attempt(self, rule: RateLimit, subject: str) -> int | None:
        return None

    async def exceeded(self, rule: RateLimit, subject: str) -> int | None:
        return None


@pytest.fixture(scope="module")
def fuzzed() -> tuple[Litestar, Application]:
    app, container = build(harness_settings(Path(tempfile.mkdtemp())))
    container.adapters.rate_limiter.override(providers.Object(NoLimits()))
    asyncio.run(World(container).sign_up(email=EMAIL))
    return app, container


def _fresh_session(container: Application) -> dict[str, str]:
    """A new session of the owner for each request: a fuzzed logout cannot starve the next."""
    command = LogInCommand(email=EMAIL, password=Secret(PASSWORD))
    log_in = World(container).identity.log_in()
    pair = asyncio.run(log_in.execute(command, Client(address=next(_addresses))))
    return {"Authorization": f"Bearer {pair.access_token.reveal()}"}


def test_the_api_matches_its_schema_and_never_fails(fuzzed: tuple[Litestar, Application]) -> None:
    app, container = fuzzed
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]

    for operation in operations:
        _fuzz(operation, container)

    assert len(operations) >= 18  # every identity endpoint was fuzzed, not a subset


def _fuzz(operation: Any, container: Application) -> None:
    secured = bool(operation.definition.raw.get("security"))

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: Any) -> None:
        headers = _fresh_session(container) if secured else {}
        case.call_and_validate(headers=headers, checks=CHECKS)

    fuzz()


def test_the_import_upload_is_documented(fuzzed: tuple[Litestar, Application]) -> None:
    app, _ = fuzzed

    upload = app.openapi_schema.to_schema()["paths"]["/api/v1/graph/imports"]["post"]

    body = upload["requestBody"]["content"]
    assert body["application/octet-stream"]["schema"] == {"type": "string", "format": "binary"}
    assert {"application/gzip", "application/json", "application/xml"} <= body.keys()
    assert {(p["name"], p["in"]) for p in upload["parameters"]} >= {
        ("X-Import-Id", "header"), ("X-File-Name", "header"),
    }  # fmt: skip
    assert {"403", "413", "422", "503"} <= upload["responses"].keys()
