"""The browser app served at / from a (fake) built dist: CSP, fallback, caching, gzip, traversal."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.http.security import API_CSP, SECURITY_HEADERS
from tests.e2e.harness import build, harness_settings

INDEX = b'<!doctype html><html><head><script type="module" src="/assets/app-abc.js"></script>'
SCRIPT = b"console.log('atlas');" * 50
IMMUTABLE = "public, max-age=31536000, immutable"
APP_DIRECTIVES = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self' wss://127.0.0.1:8443",
    "worker-src 'self'",
    "manifest-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
    "report-uri /api/v1/csp-reports",
]
SCREENS = ["/", "/signin", "/connections", "/maps?object_type=Invoice", "/entities/e-123",
           "/account", "/api-keys", "/accept-invitation"]  # fmt: skip


def fake_dist(root: Path) -> Path:
    dist = root / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_bytes(INDEX)
    (dist / "favicon.svg").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    (dist / "assets" / "app-abc.js").write_bytes(SCRIPT)
    (dist / "assets" / "app-abc.js.gz").write_bytes(gzip.compress(SCRIPT))
    (dist / "assets" / "app-abc.css").write_bytes(b"body{margin:0}")  # no .gz: too small
    (root / "secret.txt").write_text("do not serve me")
    return dist


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[AsyncTestClient[Any]]:
    app, _ = build(harness_settings(tmp_path, ATLAS_WEB_DIR=str(fake_dist(tmp_path))))
    async with AsyncTestClient(app) as client:
        yield client


@pytest.mark.parametrize("path", SCREENS)
async def test_every_screen_answers_index_html_with_the_apps_csp(
    client: AsyncTestClient[Any], path: str
) -> None:
    response = await client.get(path, headers={"Accept-Encoding": "identity"})

    assert response.status_code == 200
    assert response.content == INDEX
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    csp = response.headers["content-security-policy"]
    assert [d.strip() for d in csp.split(";")] == APP_DIRECTIVES
    assert "unsafe-" not in csp
    for name, value in SECURITY_HEADERS.items():
        if name != "cache-control":
            assert response.headers[name] == value, name
    assert "server" not in response.headers


async def test_hashed_assets_are_immutable_and_gzipped_for_clients_that_accept_it(
    client: AsyncTestClient[Any],
) -> None:
    packed = await client.get("/assets/app-abc.js", headers={"Accept-Encoding": "gzip, br"})
    plain = await client.get("/assets/app-abc.js", headers={"Accept-Encoding": "identity"})
    refused = await client.get("/assets/app-abc.js", headers={"Accept-Encoding": "*, gzip;q=0"})
    css = await client.get("/assets/app-abc.css", headers={"Accept-Encoding": "gzip"})

    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == SCRIPT  # httpx undoes the gzip
    assert int(packed.headers["content-length"]) < len(SCRIPT)
    assert "content-encoding" not in plain.headers
    assert "content-encoding" not in refused.headers
    assert plain.content == SCRIPT
    assert "content-encoding" not in css.headers  # no .gz sibling: the original
    for response in (packed, plain, css):
        assert response.status_code == 200
        assert response.headers["cache-control"] == IMMUTABLE
        assert "Accept-Encoding" in response.headers["vary"]
        assert "Origin" in response.headers["vary"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-security-policy"] == API_CSP
    assert packed.headers["content-type"] == "text/javascript; charset=utf-8"
    assert css.headers["content-type"] == "text/css; charset=utf-8"


async def test_the_favicon_is_served(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/favicon.svg")

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"


@pytest.mark.parametrize(
    "path",
    [
        "/assets/x.js",
        "/assets/app-abc.js.gz",
        "/assets/../../secret.txt",
        "/assets/..%2F..%2Fsecret.txt",
        "/assets/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/assets/..%5c..%5csecret.txt",
        "/assets/%252e%252e%252fsecret.txt",
        "/assets/../../pyproject.toml",
        "/assets/..%2F..%2F..%2Fpyproject.toml",
        "/no/such/screen",
        "/secret.txt",
        "/index.html",  # the app is at its screens, not at its file name
    ],
)
async def test_unknown_files_and_traversal_are_404_never_a_file_or_the_app(
    client: AsyncTestClient[Any], path: str
) -> None:
    response = await client.get(path)

    assert response.status_code == 404, (path, response.status_code)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert b"do not serve me" not in response.content
    assert b"[project]" not in response.content
    assert response.content != INDEX


@pytest.mark.parametrize(
    "raw", [b"/assets/../../secret.txt", b"/assets/..", b"/assets/../../../pyproject.toml"]
)
async def test_dot_segments_the_client_did_not_normalise_are_404(
    client: AsyncTestClient[Any], raw: bytes
) -> None:
    # httpx removes ".." before sending; a raw HTTP client need not. Speak ASGI directly.
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "https", "path": raw.decode(), "raw_path": raw, "query_string": b"",
        "root_path": "", "headers": [(b"host", b"127.0.0.1:8443")],
        "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8443),
    }  # fmt: skip
    await client.app(scope, receive, send)  # type: ignore[arg-type]

    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert sent[0]["status"] == 404
    assert b"do not serve me" not in body
    assert b"[project]" not in body


async def test_the_api_is_not_shadowed_by_the_app(client: AsyncTestClient[Any]) -> None:
    assert (await client.get("/health")).json() is not None
    missing = await client.get("/api/v1/no-such-endpoint")
    assert missing.status_code == 404
    assert missing.headers["content-security-policy"] == API_CSP


async def test_without_a_build_the_app_answers_503_web_not_built(tmp_path: Path) -> None:
    app, _ = build(harness_settings(tmp_path, ATLAS_WEB_DIR=str(tmp_path / "nothing-here")))

    async with AsyncTestClient(app) as client:
        response = await client.get("/")
        asset = await client.get("/assets/app-abc.js")

    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "web.not_built"
    assert "make web" in body["detail"]
    assert str(tmp_path) not in response.text  # no server paths in answers
    assert asset.status_code == 404


def test_the_default_web_dir_is_the_repositorys_not_the_working_directorys(
    tmp_path: Path,
) -> None:
    settings = harness_settings(tmp_path)

    assert settings.web_dir == Path(__file__).resolve().parents[2] / "web" / "dist"
    assert harness_settings(tmp_path, ATLAS_WEB_DIR="dist").web_dir == tmp_path / "dist"
