"""The provider sandbox under /sandbox of the development app, and never in production."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from litestar.testing import AsyncTestClient

from adapters.sandbox.config import development_client_id
from entrypoints.settings import SettingsError, load_settings
from tests.e2e.harness import build, harness_settings
from tests.factories.sandbox import FLOWS, attempt, callback, client_auth, consent_form
from tests.factories.settings import production_environ


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
    # The consent form keeps its own strict CSP (the API's form-action 'none' would break it)
    # and still gets every other hardening header; everything else gets the API's CSP.
    assert "form-action 'self' https://127.0.0.1:8443" in page.headers["content-security-policy"]
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert page.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert "form-action 'none'" in stats.headers["content-security-policy"]
    assert "form-action 'none'" in unknown.headers["content-security-policy"]
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
    environ = production_environ()

    assert load_settings(environ).sandbox is False
    with pytest.raises(SettingsError, match="ATLAS_SANDBOX"):
        load_settings({**environ, "ATLAS_SANDBOX": "true"})
