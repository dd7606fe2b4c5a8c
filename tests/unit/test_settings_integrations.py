"""Integrations settings: sandbox in development, explicit clients and https in production."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from entrypoints.integrations_wiring import provider_directory
from entrypoints.settings import SettingsError, load_settings
from tests.factories.settings import production_environ


def _clients_file(tmp_path: Path, mode: int = 0o600, **platforms: str) -> str:
    path = tmp_path / "clients.json"
    data = {p: {"client_id": f"{p}-id", "client_secret": secret} for p, secret in platforms.items()}
    path.write_text(json.dumps(data))
    path.chmod(mode)
    return str(path)


def test_development_points_every_provider_at_the_mounted_sandbox() -> None:
    sut = load_settings({}).integrations

    assert sut.public_url == "https://127.0.0.1:8443"
    assert sut.providers_base_url == "https://127.0.0.1:8443/sandbox"
    assert sut.in_app_sandbox
    assert set(sut.oauth_clients) == {"salesforce", "hubspot", "google", "slack", "zendesk", "jira"}
    assert sut.oauth_return_url == "https://127.0.0.1:8443/connections"


def test_without_the_sandbox_or_clients_every_provider_is_unavailable() -> None:
    settings = load_settings({"ATLAS_SANDBOX": "false"})

    listing = provider_directory(settings).listing()

    assert settings.integrations.providers_base_url is None
    assert [p.available for p in listing] == [False] * len(listing)


def test_production_enables_only_the_platforms_with_credentials(tmp_path: Path) -> None:
    environ = production_environ() | {
        "ATLAS_OAUTH_CLIENTS_FILE": _clients_file(tmp_path, hubspot="hs-secret-value"),
        "ATLAS_PUBLIC_URL": "https://api.example.com",
    }

    settings = load_settings(environ)
    available = {p.spec.key for p in provider_directory(settings).listing() if p.available}
    redirect = provider_directory(settings).resolve("hubspot").redirect_uri

    assert available == {"hubspot"}
    assert redirect == "https://api.example.com/api/v1/oauth/callback/hubspot"
    assert "hs-secret-value" not in repr(settings)
    assert provider_directory(settings).resolve("hubspot").spec.token_url == (
        "https://api.hubapi.com/oauth/2026-03/token"  # the real provider: no sandbox here
    )


@pytest.mark.parametrize(
    ("extra", "complaint"),
    [
        ({"ATLAS_PROVIDERS_BASE_URL": "https://sandbox.example.com"}, "ATLAS_PROVIDERS_BASE_URL"),
        ({"ATLAS_PROVIDER_ENDPOINTS": "salesforce=http://test.salesforce.com"}, "https"),
        ({"ATLAS_PROVIDER_ENDPOINTS": "myspace=https://myspace.com"}, "platform"),
        ({"ATLAS_PUBLIC_URL": "http://api.example.com"}, "ATLAS_PUBLIC_URL"),
        ({"ATLAS_OAUTH_RETURN_URL": "https://evil.example/back"}, "ATLAS_OAUTH_RETURN_URL"),
        ({"ATLAS_TOKEN_ENDPOINT_TIMEOUT_SECONDS": "30"}, "shorter"),
    ],
)
def test_production_refuses_what_would_weaken_the_flow(
    extra: dict[str, str], complaint: str
) -> None:
    with pytest.raises(SettingsError, match=complaint):
        load_settings(production_environ() | extra)


def test_a_clients_file_others_can_read_or_that_names_an_unknown_platform_is_refused(
    tmp_path: Path,
) -> None:
    open_file = _clients_file(tmp_path, mode=0o644, slack="s")
    base = production_environ() | {"ATLAS_PUBLIC_URL": "https://api.example.com"}

    with pytest.raises(SettingsError, match="owner only"):
        load_settings(base | {"ATLAS_OAUTH_CLIENTS_FILE": open_file})
    with pytest.raises(SettingsError, match="unknown platform"):
        load_settings(base | {"ATLAS_OAUTH_CLIENTS_FILE": _clients_file(tmp_path, myspace="s")})
    with pytest.raises(SettingsError, match="ATLAS_PUBLIC_URL is required"):
        load_settings(
            production_environ() | {"ATLAS_OAUTH_CLIENTS_FILE": _clients_file(tmp_path, slack="s")}
        )


def test_a_single_platform_can_be_re_rooted_in_production(tmp_path: Path) -> None:
    environ = production_environ() | {
        "ATLAS_OAUTH_CLIENTS_FILE": _clients_file(tmp_path, salesforce="s"),
        "ATLAS_PUBLIC_URL": "https://api.example.com",
        "ATLAS_PROVIDER_ENDPOINTS": "salesforce=https://test.salesforce.com",
    }

    spec = provider_directory(load_settings(environ)).resolve("salesforce").spec

    assert spec.authorize_url == "https://test.salesforce.com/services/oauth2/authorize"


async def test_production_wiring_reaches_providers_without_any_sandbox(tmp_path: Path) -> None:
    from entrypoints.container import real_container
    from entrypoints.database import configured_endpoints
    from entrypoints.http.di import resolve

    environ = production_environ() | {
        "ATLAS_OAUTH_CLIENTS_FILE": _clients_file(tmp_path, slack="s"),
        "ATLAS_PUBLIC_URL": "https://api.example.com",
    }
    settings = load_settings(environ)
    container = real_container(settings, configured_endpoints(settings))

    shared = container.adapters.integrations
    http = await resolve(shared.provider_http)
    client = await resolve(shared.provider_client)
    await container.adapters().shutdown_resources()

    assert client is not None
    assert http.is_closed
