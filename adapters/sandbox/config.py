"""How a sandbox is set up: its providers, the OAuth clients registered with each, its data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal, get_args

import msgspec

from adapters.sandbox.seed.scale import parse_scale
from domain.shared.secret import Secret

Provider = Literal["salesforce", "hubspot", "google", "slack", "zendesk", "jira"]
PROVIDERS: tuple[Provider, ...] = get_args(Provider)

DEFAULT_CALLBACK = "https://127.0.0.1:8443/api/v1/oauth/callback/{provider}"

# Client ids shaped like each provider's (a Salesforce consumer key, a Google client id, ...),
# fixed so a development catalog can be configured once.
_DEV_CLIENT_IDS: dict[Provider, str] = {
    "salesforce": "3MVG9SandboxAtlasDevelopmentConsumerKey.0000000000000000000000000000",
    "hubspot": "5f0c3a52-atla-4dev-sand-b0x000000001",
    "google": "000000000000-atlasdevsandbox.apps.googleusercontent.com",
    "slack": "1000000000001.2000000000002",
    "zendesk": "atlas_dev_sandbox",
    "jira": "AtlasDevSandboxJiraClient0000001",
}


class ClientRegistration(msgspec.Struct, frozen=True, kw_only=True):
    """An OAuth client as the provider knows it: its credentials and exact redirect URIs."""

    provider: Provider
    client_id: str
    client_secret: Secret[str]
    redirect_uris: tuple[str, ...]
    # Refuse an authorization request without an S256 challenge (Salesforce partner apps,
    # and any client that promised PKCE). Only meaningful where the provider supports PKCE.
    require_pkce: bool = False
    # Salesforce "Refresh Token Rotation" and Slack "token rotation" are per-app switches.
    rotate_refresh_tokens: bool = False
    app_name: str = "Atlas"

    def owns_redirect(self, uri: str) -> bool:
        # Exact string comparison: no prefix, no normalisation, no case folding (RFC 9700 §4.1).
        return uri in self.redirect_uris


class SandboxConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Everything a sandbox is built from; the same seed and start always give the same data."""

    registrations: tuple[ClientRegistration, ...]
    seed: int = 2026
    data_start: datetime = datetime(2025, 9, 1, tzinfo=UTC)
    data_days: int = 150
    # How many times the standard company: 1 (the default) is the one every test knows,
    # LARGE_SCALE the benchmark's; MIN_SCALE..MAX_SCALE (seed/scale.py), else ScaleError.
    scale: float = 1
    # Extra HubSpot contacts all modified inside one hour, so the 10,000-result cap is reachable.
    hubspot_bulk_contacts: int = 0
    # Zendesk's incremental export allows 10 requests a minute (None: unlimited).
    zendesk_export_per_minute: int | None = 10
    # The control API (/_control) for tests and development; never in production. Every call
    # presents control_key (control_key.py); without a key the control API admits nobody.
    control_api: bool = True
    control_key: Secret[str] | None = None
    # Absolute base for links the providers return (instance_url, after_url); derived from the
    # request when None.
    public_base_url: str | None = None

    def __post_init__(self) -> None:
        parse_scale(self.scale)


def development_registrations(
    callback: str = DEFAULT_CALLBACK, *, extra_callbacks: tuple[str, ...] = ()
) -> tuple[ClientRegistration, ...]:
    """One client per provider whose redirect URIs are Atlas's callbacks (``{provider}`` filled)."""
    return tuple(
        ClientRegistration(
            provider=provider,
            client_id=_DEV_CLIENT_IDS[provider],
            client_secret=Secret(development_secret(provider)),
            redirect_uris=tuple(
                template.format(provider=provider) for template in (callback, *extra_callbacks)
            ),
            require_pkce=provider in ("salesforce", "google", "zendesk"),
            rotate_refresh_tokens=provider == "slack",
        )
        for provider in PROVIDERS
    )


def development_secret(provider: Provider) -> str:
    """The development client secret: fixed and public, it guards nothing but a sandbox."""
    return f"sandbox-{provider}-development-client-secret"


def development_client_id(provider: Provider) -> str:
    return _DEV_CLIENT_IDS[provider]


def default_data_start(now: datetime, *, days: int = 150, ahead: int = 14) -> datetime:
    """Start the data ``days - ahead`` days before today, so ``ahead`` days are still to come."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=days - ahead)
