"""Schemathesis over the OpenAPI schema: no 5xx, and every answer matches what the schema says.

Two tiers, bounded in examples per operation: in process against the app on the fake adapters,
and over HTTP against the app on the real adapters (PostgreSQL under row security, the
columnar maps), served by uvicorn on a thread over a database of its own (tiers.py says what
that stack swaps). Each generated request carries a fresh access token of a signed-in owner
(so authenticated operations are reached), and the rate limiter is lifted so the fuzzer
explores the endpoints instead of the 429 (which has its own tests).
"""

from __future__ import annotations

import asyncio
import itertools
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from dependency_injector import providers
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from adapters.fakes.rate_limiter import NoLimits
from application.identity.log_in import LogInCommand
from application.identity.sessions import Client
from domain.shared.secret import Secret
from entrypoints.container import Application
from entrypoints.http.app import create_app
from tests.conftest import fresh_copy
from tests.e2e.harness import build, harness_settings
from tests.e2e.served import serving
from tests.e2e.tiers import Tier, real_application, tier
from tests.factories.sessions import PASSWORD, World

pytestmark = pytest.mark.e2e
__all__ = ["tier"]  # the fixture

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
_addresses = (f"198.18.{n // 250}.{n % 250}" for n in itertools.count())
EMAIL = "fuzz@example.com"
# Per operation (61 operations now). The real stack gets fewer: each request, and the sign-in
# before it, goes through PostgreSQL over HTTP (8 took about five minutes on the busy shared
# two-core machine, most of it generating cases).
EXAMPLES = {"fake": 30, "real": 5}


@dataclass
class Target:
    """The API to fuzz: its schema (bound to the app or its URL), and a way to sign in."""

    tier: str
    schema: Any
    session: Callable[[], dict[str, str]]


@pytest.fixture(scope="module")
async def served_real(tier: Tier) -> AsyncIterator[str | None]:
    """The real tier's base URL (None on the fake tier): the app on its own database."""
    if tier.database is None or tier.template is None:
        yield None
        return
    async with fresh_copy(tier.database, tier.template) as fresh:
        app = create_app(real_application(fresh.app, Path(tempfile.mkdtemp())))
        async with serving(app) as base:
            yield base


@pytest.fixture(scope="module")
def fuzzed(tier: Tier, served_real: str | None) -> Target:
    if served_real is None:
        app, container = build(harness_settings(Path(tempfile.mkdtemp())))
        container.adapters.rate_limiter.override(providers.Object(NoLimits()))
        asyncio.run(World(container).sign_up(email=EMAIL))
        schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
        return Target(tier.name, schema, lambda: _fresh_session(container))
    signed_up = httpx.post(f"{served_real}/api/v1/auth/signup", json={
        "email": EMAIL, "password": PASSWORD, "name": "Fuzz", "organisation": "Fuzz",
    })  # fmt: skip
    assert signed_up.status_code == 201, signed_up.text
    schema = schemathesis.openapi.from_url(f"{served_real}/schema/openapi.json")
    return Target(tier.name, schema, lambda: _fresh_session_over_http(served_real))


def _fresh_session(container: Application) -> dict[str, str]:
    """A new session of the owner for each request: a fuzzed logout cannot starve the next."""
    command = LogInCommand(email=EMAIL, password=Secret(PASSWORD))
    log_in = World(container).identity.log_in()
    pair = asyncio.run(log_in.execute(command, Client(address=next(_addresses))))
    return {"Authorization": f"Bearer {pair.access_token.reveal()}"}


def _fresh_session_over_http(base: str) -> dict[str, str]:
    answer = httpx.post(f"{base}/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_the_api_matches_its_schema_and_never_fails(fuzzed: Target) -> None:
    operations = [result.ok() for result in fuzzed.schema.get_all_operations()]

    for operation in operations:
        _fuzz(operation, fuzzed.session, EXAMPLES[fuzzed.tier])

    assert len(operations) >= 18  # every identity endpoint was fuzzed, not a subset


def _fuzz(operation: Any, session: Callable[[], dict[str, str]], examples: int) -> None:
    secured = bool(operation.definition.raw.get("security"))

    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: Any) -> None:
        headers = session() if secured else {}
        case.call_and_validate(headers=headers, checks=CHECKS)

    fuzz()


def test_the_import_upload_is_documented(fuzzed: Target) -> None:
    upload = fuzzed.schema.raw_schema["paths"]["/api/v1/graph/imports"]["post"]

    body = upload["requestBody"]["content"]
    assert body["application/octet-stream"]["schema"] == {"type": "string", "format": "binary"}
    assert {"application/gzip", "application/json", "application/xml"} <= body.keys()
    assert {(p["name"], p["in"]) for p in upload["parameters"]} >= {
        ("X-Import-Id", "header"), ("X-File-Name", "header"),
    }  # fmt: skip
    assert {"403", "413", "422", "503"} <= upload["responses"].keys()
