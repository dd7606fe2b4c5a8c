"""The provider sandbox under /sandbox of the development app, and never in production."""

from __future__ import annotations

import re
import stat
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from litestar.testing import AsyncTestClient

from adapters.sandbox.config import development_client_id
from adapters.sandbox.control_key import CONTROL_HEADER, control_key_file
from entrypoints.settings import SettingsError, load_settings
from tests.e2e.harness import build, harness_settings
from tests.factories.sandbox import FLOWS, attempt, callback, client_auth, consent_form
from tests.factories.sandbox_control import control_in
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
        stats = await client.get("/sandbox/_control/stats", headers=control_in(app))
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


EVIL = "https://evil.example/landing"


async def test_the_open_redirect_on_atlass_origin_is_closed(tmp_path: Path) -> None:
    """The reproduction: register a client at /sandbox/_control/clients with nothing but
    network access, then send a victim to Atlas's origin and on to the attacker's page."""
    app, _ = build(harness_settings(tmp_path))
    client = {"provider": "hubspot", "client_id": "evil", "client_secret": "x",
              "redirect_uris": [EVIL]}  # fmt: skip

    async with AsyncTestClient(app, base_url="https://127.0.0.1:8443") as browser:
        registered = await browser.put("/sandbox/_control/clients", json=client)
        guessed = await browser.put(
            "/sandbox/_control/clients", json=client, headers={CONTROL_HEADER: "guess"}
        )
        with_key = await browser.put("/sandbox/_control/clients", json=client,
                                     headers=control_in(app))  # fmt: skip
        victim = await browser.get(
            "/sandbox/hubspot/oauth/authorize",
            params={"client_id": "evil", "redirect_uri": EVIL},
            follow_redirects=False,
        )

    assert (registered.status_code, registered.json()["error"]) == (401, "control_key_required")
    assert (guessed.status_code, guessed.json()["error"]) == (403, "control_key_invalid")
    assert with_key.status_code == 422  # not loopback, not Atlas's origin: refused even so
    assert victim.status_code == 400
    assert "location" not in victim.headers


async def test_the_control_key_is_made_once_in_the_data_directory(tmp_path: Path) -> None:
    settings = harness_settings(tmp_path)
    app, _ = build(settings)
    path = control_key_file(settings.data_dir)
    headers = {CONTROL_HEADER: path.read_text().strip()}  # what a developer's curl would send

    async with AsyncTestClient(app, base_url="https://127.0.0.1:8443") as client:
        stats = await client.get("/sandbox/_control/stats", headers=headers)
    again, _ = build(harness_settings(tmp_path))  # a restart keeps the key

    assert stats.status_code == 200
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert control_in(again) == headers
