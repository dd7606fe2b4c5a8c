"""Wiring the integrations: the provider directory, and the HTTP client for provider calls."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

from adapters.connectors.oauth_client import open_http_client
from adapters.crypto.dev_tls import development_ca
from adapters.sandbox.app import Mounted, create_sandbox_app
from adapters.sandbox.sandbox import Sandbox
from application.integrations.directory import ProviderDirectory
from domain.integrations.providers import CATALOG
from entrypoints.settings import Settings
from entrypoints.settings_integrations import SANDBOX_MOUNT

CALLBACK_PATH = "/api/v1/oauth/callback/{platform}"
# The web app's page that shows who is connecting to which organisation before going on; the
# ticket rides in the fragment, which browsers never send to a server or in a Referer.
CONFIRM_PATH = "/connect#"


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
        parts = urlsplit(self.return_url)
        self.app_url = f"{parts.scheme}://{parts.netloc}"

    def start(self, ticket: str) -> str:
        """The link to hand to the person who started: it opens the web app's confirmation."""
        return self.app_url + CONFIRM_PATH + ticket


async def provider_http(
    settings: Settings, sandbox: Callable[[], Sandbox], in_process: bool = True
) -> AsyncIterator[httpx.AsyncClient]:
    """A Resource. When the providers are the sandbox mounted in this app, calls stay in the
    process (the app would otherwise call itself over TLS with a development CA); every other
    provider is called over the network with certificate verification on.

    A worker in a process of its own (``atlas worker``, ``in_process=False``) must reach the
    sandbox the server mounts, where the grants were made: over HTTPS, trusting the
    development CA (``atlas up`` wrote it under the data directory)."""
    transport, verify = None, None
    if settings.sandbox and settings.integrations.in_app_sandbox:
        if in_process:
            # Built only here: production has no sandbox, and asking for one is refused there.
            mounted: Any = Mounted(create_sandbox_app(sandbox()), SANDBOX_MOUNT)
            transport = httpx.ASGITransport(app=mounted)
        else:
            verify = development_ca(settings.data_dir / "tls")
    timeout = settings.integrations.token_endpoint_timeout_seconds
    async for client in open_http_client(
        timeout_seconds=timeout, transport=transport, verify=verify
    ):
        yield client
