"""Every response, whatever its status, carries the security headers; CORS admits one origin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from litestar import get
from litestar.testing import AsyncTestClient

from application.shared.actor import Actor
from application.shared.ports import Readiness
from domain.identity.model import Role
from domain.shared.ids import new_tenant_id, new_user_id
from entrypoints.http.security import API_CSP, SECURITY_HEADERS
from tests.e2e.harness import bearer as fake_bearer
from tests.e2e.harness import build, harness_settings
from tests.e2e.identity_http import PASSWORD, bearer, sign_up

ORIGIN = "https://app.example.com"


@get("/boom", include_in_schema=False)
async def boom() -> None:
    raise RuntimeError("a bug")


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[AsyncTestClient[Any]]:
    app, container = build(harness_settings(tmp_path, ATLAS_APP_ORIGIN=ORIGIN))
    app.register(boom)
    async with AsyncTestClient(app) as client:
        client.app.state["container"] = container
        yield client


async def _responses(client: AsyncTestClient[Any]) -> dict[str, Any]:
    container = client.app.state["container"]
    tokens = await sign_up(client, email="ada@example.com")
    member = Actor(
        tenant_id=new_tenant_id(), user_id=new_user_id(), role=Role.MEMBER, session_id=uuid4()
    )
    seen = {
        "200": await client.get("/health"),
        "201": await client.post(
            "/api/v1/auth/signup",
            json={
                "email": "cy@example.com",
                "password": PASSWORD,
                "name": "C",
                "organisation": "C",
            },
        ),
        "302": await client.get("/docs", follow_redirects=False),
        "400": await client.post(
            "/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"}
        ),
        "401": await client.get("/api/v1/me"),
        "403": await client.post(
            "/api/v1/tenants/current/invitations",
            json={"email": "x@example.com", "role": "member"},
            headers=fake_bearer(container, member),
        ),
        "404": await client.get("/no/such/path"),
        "405": await client.delete("/health"),
        "409": await client.post(
            "/api/v1/auth/signup",
            json={
                "email": "ada@example.com",
                "password": PASSWORD,
                "name": "A",
                "organisation": "B",
            },
        ),
        "413": await client.post(
            "/api/v1/auth/login",
            content=b"x" * (1024 * 1024 + 1),
            headers={"content-type": "application/json"},
        ),
        "422": await client.post(
            "/api/v1/auth/signup",
            json={"email": "bo@example.com", "password": "short", "name": "B", "organisation": "B"},
        ),
        "500": await client.get("/boom"),
        "openapi": await client.get("/schema/openapi.json"),
        "preflight allowed": await client.options(
            "/api/v1/me", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
        ),
        "preflight refused": await client.options(
            "/api/v1/me",
            headers={"Origin": "https://appXexample.com", "Access-Control-Request-Method": "GET"},
        ),
        "204": await client.post("/api/v1/auth/logout", headers=bearer(tokens)),
    }
    for _ in range(25):
        limited = await client.post(
            "/api/v1/auth/login", json={"email": "ada@example.com", "password": "wrong"}
        )
    seen["429"] = limited
    container.adapters().database_probe().readiness = Readiness(
        reachable=False, schema_current=False, detail="down"
    )
    seen["503"] = await client.get("/ready")
    return seen


async def test_every_status_class_carries_every_security_header(
    client: AsyncTestClient[Any],
) -> None:
    responses = await _responses(client)

    statuses = {name: r.status_code for name, r in responses.items()}
    assert statuses == {
        "200": 200, "201": 201, "302": 302, "400": 400, "401": 401, "403": 403, "404": 404,
        "405": 405, "409": 409, "413": 413, "422": 422, "500": 500, "openapi": 200,
        "preflight allowed": 204, "preflight refused": 400, "204": 204, "429": 429, "503": 503,
    }  # fmt: skip
    for name, response in responses.items():
        for header, value in SECURITY_HEADERS.items():
            assert response.headers.get(header) == value, (name, header)
        assert response.headers["content-security-policy"] == API_CSP, name
        assert "server" not in response.headers, name
        assert "x-powered-by" not in response.headers, name
    assert responses["429"].headers["retry-after"].isdigit()
    assert responses["204"].headers["clear-site-data"] == '"cache", "cookies", "storage"'
    for name in ("400", "401", "403", "404", "405", "409", "413", "422", "429", "500", "503"):
        assert responses[name].headers["content-type"] == "application/problem+json", name


async def test_the_docs_page_gets_a_working_csp_with_a_fresh_nonce(
    client: AsyncTestClient[Any],
) -> None:
    first = await client.get("/schema/swagger")
    second = await client.get("/schema/swagger")

    csp = first.headers["content-security-policy"]
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    for tag in ("<script", "<style"):
        assert first.text.count(tag) == first.text.count(f'{tag} nonce="{nonce}"'), tag
    assert nonce not in second.headers["content-security-policy"]
    assert first.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    "origin",
    [
        "https://appXexample.com",
        "https://app.example.com.evil.com",
        "http://app.example.com",
        "null",
    ],
)
async def test_cors_refuses_every_origin_but_the_configured_one(
    client: AsyncTestClient[Any], origin: str
) -> None:
    simple = await client.get("/health", headers={"Origin": origin})
    preflight = await client.options(
        "/api/v1/me", headers={"Origin": origin, "Access-Control-Request-Method": "GET"}
    )

    assert "access-control-allow-origin" not in simple.headers
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-credentials" not in simple.headers
    assert preflight.status_code == 400


async def test_cors_admits_the_configured_origin_exactly(client: AsyncTestClient[Any]) -> None:
    simple = await client.get("/health", headers={"Origin": ORIGIN})
    preflight = await client.options(
        "/api/v1/auth/login",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-atlas-client",
        },
    )

    assert simple.headers["access-control-allow-origin"] == ORIGIN
    assert "Origin" in simple.headers["vary"]
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert "*" not in preflight.headers["access-control-allow-methods"]
    # The app on another origin (a CDN) refreshes with its cookie: credentials, exact origin.
    assert preflight.headers["access-control-allow-credentials"] == "true"
    assert "x-atlas-client" in preflight.headers["access-control-allow-headers"].lower()


async def test_every_operation_in_the_schema_passes_its_cors_preflight(
    client: AsyncTestClient[Any],
) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    refused = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            headers = [
                "authorization",
                "content-type",
                "x-import-id",
                "x-file-name",
                "x-atlas-client",
            ] + [p["name"].lower() for p in operation.get("parameters", []) if p["in"] == "header"]
            preflight = await client.options(
                path.replace("{", "").replace("}", ""),
                headers={
                    "Origin": ORIGIN,
                    "Access-Control-Request-Method": method.upper(),
                    "Access-Control-Request-Headers": ", ".join(headers),
                },
            )
            if preflight.status_code != 204:
                refused.append(f"{method.upper()} {path}: {preflight.text}")

    assert refused == []


async def test_production_serves_the_schema_but_not_the_cdn_docs_page() -> None:
    from entrypoints.container import fake_container
    from entrypoints.http.app import create_app
    from entrypoints.settings import load_settings
    from tests.factories.settings import production_environ

    app = create_app(fake_container(load_settings(production_environ())))

    async with AsyncTestClient(app) as production:
        page = await production.get("/schema/swagger")
        schema = await production.get("/schema/openapi.json")

    assert page.status_code == 404
    assert schema.status_code == 200
    assert "form-action 'none'" in schema.headers["content-security-policy"]
