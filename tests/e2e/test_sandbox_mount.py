"""The provider sandbox under /sandbox of the development app, and never in production."""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from litestar.testing import AsyncTestClient

from adapters.sandbox.config import development_client_id
from entrypoints.settings import SettingsError, load_settings
from tests.e2e.harness import build, harness_settings
from tests.factories.sandbox import FLOWS, attempt, callback, client_auth, consent_form


async def test_development_mounts_the_sandbox_with_links_under_the_prefix(tmp_path: Path) -> None:
    app, _ = build(harness_settings(tmp_path))
    params = {
        "client_id": development_client_id("jira"),
        "redirect_uri": "https://127.0.0.1:8443/api/v1/oauth/callback/jira",
        "response_type": "code",
        "scope": "read:jira-work",
        "audience": "api.atlassian.com",
    }

    async with AsyncTestClient(app, base_url="https://127.0.0.1:8443") as client:
        page = await client.get("/sandbox/jira/authorize", params=params)
        stats = await client.get("/sandbox/_control/stats")
        unknown = await client.get("/sandbox/nowhere")

    assert page.status_code == 200
    assert re.search(r'action="/sandbox/jira/authorize"', page.text)
    assert stats.status_code == 200
    assert unknown.status_code == 404


async def test_links_from_the_mounted_sandbox_point_under_the_prefix(tmp_path: Path) -> None:
    app, _ = build(harness_settings(tmp_path))
    started = attempt("salesforce")

    async with AsyncTestClient(app, base_url="https://127.0.0.1:8443") as client:
        page = await client.get("/sandbox" + FLOWS["salesforce"].authorize, params=started.params)
        action, consent = consent_form(page)
        back = await client.post(
            action, data={"consent": consent, "decision": "approve"}, follow_redirects=False
        )
        code = dict(parse_qsl(urlsplit(back.headers["location"]).query))["code"]
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": callback("salesforce"),
            "code_verifier": started.verifier,
            **client_auth("salesforce"),
        }
        tokens = (await client.post("/sandbox" + FLOWS["salesforce"].token, data=form)).json()

    assert tokens["instance_url"] == "https://127.0.0.1:8443/sandbox/salesforce"
    assert tokens["id"].startswith("https://127.0.0.1:8443/sandbox/salesforce/id/")


async def test_the_sandbox_can_be_switched_off(tmp_path: Path) -> None:
    app, _ = build(harness_settings(tmp_path, ATLAS_SANDBOX="false"))

    async with AsyncTestClient(app) as client:
        answer = await client.get("/sandbox/_control/stats")

    assert answer.status_code == 404


def test_production_refuses_the_sandbox() -> None:
    environ = {
        "ATLAS_ENV": "production",
        "ATLAS_DATABASE_URL": "postgresql://a:b@db:5432/atlas?sslmode=verify-full",
        "ATLAS_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
        "ATLAS_APP_ORIGIN": "https://app.example.com",
    }

    assert load_settings(environ).sandbox is False
    with pytest.raises(SettingsError, match="ATLAS_SANDBOX"):
        load_settings({**environ, "ATLAS_SANDBOX": "true"})
