"""Wiring the integrations: the provider directory, and the HTTP client for provider calls."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

from adapters.connectors.oauth_client import open_http_client
from adapters.sandbox.app import Mounted, create_sandbox_app
from adapters.sandbox.sandbox import Sandbox
from application.integrations.directory import ProviderDirectory
from domain.integrations.providers import CATALOG
from entrypoints.settings import Settings
from entrypoints.settings_integrations import SANDBOX_MOUNT

CALLBACK_PATH = "/api/v1/oauth/callback/{platform}"
START_PATH = "/api/v1/oauth/start/"


def provider_directory(settings: Settings) -> ProviderDirectory:
    config = settings.integrations
    return ProviderDirectory(
        CATALOG,
        clients=config.oauth_clients,
        callback_template=config.public_url + CALLBACK_PATH,
        sandbox_base=config.providers_base_url,
        roots=config.platform_roots,
    )


class OAuthLinks:
    """The browser-facing addresses of the flow, from settings (never from a Host header)."""

    def __init__(self, settings: Settings) -> None:
        self.public_url = settings.integrations.public_url
        self.return_url = settings.integrations.oauth_return_url

    def start(self, ticket: str) -> str:
        return self.public_url + START_PATH + ticket


async def provider_http(
    settings: Settings, sandbox: Callable[[], Sandbox]
) -> AsyncIterator[httpx.AsyncClient]:
    """A Resource. When the providers are the sandbox mounted in this app, calls stay in the
    process (the app would otherwise call itself over TLS with a development CA); every other
    provider is called over the network with certificate verification on."""
    transport = None
    if settings.sandbox and settings.integrations.in_app_sandbox:
        # Built only here: production has no sandbox, and asking for one is refused there.
        mounted: Any = Mounted(create_sandbox_app(sandbox()), SANDBOX_MOUNT)
        transport = httpx.ASGITransport(app=mounted)
    timeout = settings.integrations.token_endpoint_timeout_seconds
    async for client in open_http_client(timeout_seconds=timeout, transport=transport):
        yield client
