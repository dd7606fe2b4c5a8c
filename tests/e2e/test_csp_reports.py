"""POST /api/v1/csp-reports: both report formats logged in one bounded line each, always 204."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.http.controllers.csp_reports import ReportLog
from tests.e2e.harness import build, harness_settings

URL = "/api/v1/csp-reports"
LEGACY = {
    "csp-report": {
        "document-uri": "https://127.0.0.1:8443/maps?object_type=Invoice&token=s3cret#frag",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "original-policy": "default-src 'none'; report-uri /api/v1/csp-reports",
        "blocked-uri": "https://evil.example/x.js?session=abc",
        "status-code": 200,
    }
}
REPORTING_API = [
    {
        "type": "csp-violation",
        "age": 10,
        "url": "https://127.0.0.1:8443/account?tab=keys",
        "body": {
            "documentURL": "https://127.0.0.1:8443/account?tab=keys",
            "effectiveDirective": "style-src-elem",
            "blockedURL": "inline",
            "disposition": "enforce",
        },
    }
]


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[AsyncTestClient[Any]]:
    app, _ = build(harness_settings(tmp_path))
    async with AsyncTestClient(app) as client:
        yield client


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "atlas.csp"]


@pytest.mark.parametrize(
    ("media_type", "body", "expected"),
    [
        (
            "application/csp-report",
            LEGACY,
            "csp violation: directive=script-src-elem blocked=https://evil.example/x.js "
            "document=https://127.0.0.1:8443/maps",
        ),
        (
            "application/reports+json",
            REPORTING_API,
            "csp violation: directive=style-src-elem blocked=inline "
            "document=https://127.0.0.1:8443/account",
        ),
        (
            "application/json",
            LEGACY,
            "csp violation: directive=script-src-elem blocked=https://evil.example/x.js "
            "document=https://127.0.0.1:8443/maps",
        ),
    ],
)
async def test_a_report_is_logged_without_query_strings_and_answered_204(
    client: AsyncTestClient[Any],
    caplog: pytest.LogCaptureFixture,
    media_type: str,
    body: Any,
    expected: str,
) -> None:
    caplog.set_level(logging.WARNING, logger="atlas.csp")

    response = await client.post(
        URL, content=json.dumps(body).encode(), headers={"Content-Type": media_type}
    )

    assert response.status_code == 204
    assert _lines(caplog) == [expected]
    logged = caplog.text
    for secret in ("s3cret", "session=abc", "tab=keys", "original-policy", "frag"):
        assert secret not in logged


@pytest.mark.parametrize(
    "body",
    [b"", b"{not json", b"[]", b"{}", b'"x"', b"[1, 2]", b'{"csp-report": 5}',
     b'[{"type": "csp-violation", "body": 7}]', b"\xff\xfe"],
)  # fmt: skip
async def test_bad_bodies_get_204_and_no_log_line(
    client: AsyncTestClient[Any], caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    caplog.set_level(logging.WARNING, logger="atlas.csp")

    response = await client.post(URL, content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 204
    assert _lines(caplog) == []


async def test_a_body_over_16_kib_is_refused_413(client: AsyncTestClient[Any]) -> None:
    response = await client.post(
        URL, content=b" " * (16 * 1024 + 1), headers={"Content-Type": "application/csp-report"}
    )

    assert response.status_code == 413
    assert response.json()["code"] == "request.too_large"


def test_the_log_is_bounded_per_window(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="atlas.csp")
    reports = ReportLog(limit=3, window=3600)

    for _ in range(10):
        reports.violation("script-src", "inline", "https://a.example/")

    assert len(_lines(caplog)) == 3
    assert reports.dropped == 7


def test_control_characters_cannot_forge_log_lines(caplog: pytest.LogCaptureFixture) -> None:
    from entrypoints.http.controllers.csp_reports import reports_in

    body = json.dumps(
        {"csp-report": {"violated-directive": "x\nFAKE LINE", "blocked-uri": "inline"}}
    )

    ((directive, blocked, document),) = reports_in(body.encode())

    assert "\n" not in directive
    assert (blocked, document) == ("inline", "-")
