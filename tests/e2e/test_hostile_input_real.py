"""Hostile input in every place of every operation is a 4xx problem, never a 5xx (attack
findings, item 4), on the real stack: the real adapters over PostgreSQL as the unprivileged app
role, with its worker, served by uvicorn (tiers.py says what that stack swaps).

Schemathesis generates one request per operation from the OpenAPI schema; tests/factories/
hostile.py then puts each hostile value (NUL, lone surrogates, CR LF, controls, invalid UTF-8,
nesting 1,000 and 100,000 deep, overlong text) into each path and query parameter, declared
header, JSON body field, bearer token, and (on the auth and OAuth endpoints) read cookie and
header in turn, and sends raw bodies no encoder writes. Every other request carries a signed-up
member's access token, so the handlers run, not just the 401.
An OCEL import with the same values in its ids and names must fail as a refused file, with its
problem's code: not be retried as an unexpected error.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import warnings
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import HypothesisDeprecationWarning
from schemathesis.core.transport import Response

from adapters.postgres.throwaway import ThrowawayDatabase
from adapters.postgres.worker_imports import GAVE_UP
from entrypoints.http.app import create_app
from tests.conftest import fresh_copy
from tests.e2e.served import serving
from tests.e2e.tiers import real_application
from tests.factories.hostile import Variant, import_documents, variants
from tests.factories.sessions import PASSWORD

pytestmark = pytest.mark.e2e

CODE = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")  # a stable code: "request.invalid"
READS_COOKIES = ("/api/v1/auth", "/api/v1/oauth")
POLLS = 3_000  # a bound on the work while an import runs, not a deadline


@pytest.fixture(scope="module")
async def served(database: ThrowawayDatabase, migrated_template: str) -> AsyncIterator[str]:
    """The real app, with its worker (imports are jobs), on a database of its own."""
    async with fresh_copy(database, migrated_template) as fresh:
        container = real_application(fresh.app, Path(tempfile.mkdtemp()))
        async with serving(create_app(container, with_worker=True)) as base:
            yield base


@pytest.fixture(scope="module")
def member(served: str) -> Callable[[bool], dict[str, str]]:
    """A signed-up owner's Authorization header; ``fresh`` signs in again (a hostile request may
    have ended the session). A hostile request that took effect (a CR LF new password, say)
    leaves the member unable to sign in: another signs up, so the run goes on as somebody."""
    current: dict[str, str] = {}

    def sign_in() -> httpx.Response:
        return httpx.post(f"{served}/api/v1/auth/login",
                          json={"email": current["email"], "password": PASSWORD})  # fmt: skip

    def headers(fresh: bool = False) -> dict[str, str]:
        if fresh or "Authorization" not in current:
            answer = sign_in() if "email" in current else None
            if answer is None or answer.status_code != 200:
                current["email"] = f"hostile-{uuid4().hex[:12]}@example.com"
                signed_up = httpx.post(f"{served}/api/v1/auth/signup", json={
                    "email": current["email"], "password": PASSWORD, "name": "Hostile",
                    "organisation": "Hostile",
                })  # fmt: skip
                assert signed_up.status_code == 201, signed_up.text
                answer = sign_in()
            assert answer.status_code == 200, answer.text
            current["Authorization"] = f"Bearer {answer.json()['access_token']}"
        return {"Authorization": current["Authorization"]}

    return headers


def test_no_hostile_value_in_any_place_is_a_server_error(
    served: str, member: Callable[[bool], dict[str, str]]
) -> None:
    schema = schemathesis.openapi.from_url(f"{served}/schema/openapi.json")
    schema.config.update(base_url=served)
    failures: list[str] = []
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        cookies = operation.path.startswith(READS_COOKIES)
        for variant in variants(operation, _generated(operation), cookies):
            failures.extend(_failure(operation, variant, _send(operation, variant, member)))
            sent += 1

    print(f"{sent} hostile requests")  # the run's size, for the record
    assert not failures, "\n".join(failures)
    assert sent >= 1_200  # every operation's places were reached, not a few


def _generated(operation: Any) -> Any:
    """The first request schemathesis generates for the operation (derandomized)."""
    found: list[Any] = []

    @given(case=operation.as_strategy())
    @settings(
        max_examples=1, derandomize=True, database=None, deadline=None,
        phases=[Phase.generate], suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    def draw(case: Any) -> None:
        found.append(case)

    with warnings.catch_warnings():
        # Schemathesis seeds its case ids from `random` inside the strategy; harmless here.
        warnings.simplefilter("ignore", HypothesisDeprecationWarning)
        draw()
    return found[0]


def _send(operation: Any, variant: Variant, member: Callable[[bool], dict[str, str]]) -> Response:
    case = operation.Case(
        path_parameters=variant.path_parameters, query=variant.query, headers=variant.headers,
        cookies=variant.cookies, body=variant.body, media_type=variant.media_type,
    )  # fmt: skip
    if variant.bearer is not None:
        return case.call(headers={"Authorization": f"Bearer {variant.bearer}"}, timeout=60)
    response: Response = case.call(headers=member(False), timeout=60)
    if response.status_code == 401:  # the session may be gone: once more, signed in again
        response = case.call(headers=member(True), timeout=60)
    return response


def _failure(operation: Any, variant: Variant, response: Response) -> list[str]:
    where = f"{operation.method.upper()} {operation.path} [{variant.label}]"
    status = response.status_code
    if status >= 500:
        return [f"{where}: {status} {response.text[:200]}"]
    if status < 400:
        return []
    content_type = {k.lower(): v for k, v in response.headers.items()}.get("content-type", [""])
    if not content_type[0].startswith("application/problem+json"):
        return [f"{where}: {status} is not a problem: {response.text[:200]}"]
    code = response.json().get("code", "")
    return [] if CODE.match(code) else [f"{where}: {status} has no stable code: {code!r}"]


async def test_an_import_holding_hostile_values_fails_as_refused_never_as_retried(
    served: str, member: Callable[[bool], dict[str, str]]
) -> None:
    failures = []
    async with httpx.AsyncClient(base_url=served, timeout=60) as client:
        for name, document in import_documents().items():
            headers = {**member(False), "content-type": "application/octet-stream"}
            posted = await client.post("/api/v1/graph/imports", content=document, headers=headers)
            if posted.status_code != 202:
                failures.extend(_import_refusal(name, posted))
                continue
            status = await _finished(client, posted.headers["location"], headers)
            failure = status.get("failure") or {}
            if status["state"] == "failed" and not CODE.match(failure.get("code", "")):
                failures.append(f"{name}: failed without a stable code: {status}")
            if failure.get("code") == GAVE_UP.code or status["state"] not in (
                "succeeded",
                "failed",
            ):
                failures.append(f"{name}: an unexpected error, not a refusal: {status}")

    assert not failures, "\n".join(failures)


def _import_refusal(name: str, posted: httpx.Response) -> list[str]:
    if posted.status_code >= 500 or not CODE.match(posted.json().get("code", "")):
        return [f"{name}: {posted.status_code} {posted.text[:200]}"]
    return []


async def _finished(client: httpx.AsyncClient, location: str, headers: dict[str, str]) -> Any:
    """The import's status once it has succeeded or failed, or as it stood after POLLS polls
    (a job retried after an unexpected error stays queued for seconds between attempts)."""
    status: Any = None
    for _ in range(POLLS):
        status = (await client.get(location, headers=headers)).json()
        if status["state"] in {"succeeded", "failed"} or status.get("attempts", 0) > 1:
            return status
        await asyncio.sleep(0.01)
    return status


def test_an_import_object_type_longer_than_an_import_stores_is_a_400(
    served: str, member: Callable[[bool], dict[str, str]]
) -> None:
    def upload(object_type: str) -> httpx.Response:
        return httpx.post(f"{served}/api/v1/graph/imports", content=b"{}",
                          params={"object_type": object_type}, headers=member(False))  # fmt: skip

    refused = upload("t" * 201)  # the imports table's check refused it: a 500

    assert refused.status_code == 400
    assert refused.json()["code"] == "request.invalid"
    assert upload("t" * 200).status_code == 202
