"""Integrations settings: where provider endpoints live, our OAuth clients, our public URL.

Development points every provider at the sandbox mounted in the app and uses the sandbox's
published development clients. Production never talks to a sandbox: ``ATLAS_PROVIDERS_BASE_URL``
is refused there, single platforms may be re-rooted with ``ATLAS_PROVIDER_ENDPOINTS`` (https
only), and only the platforms with credentials in ``ATLAS_OAUTH_CLIENTS_FILE`` are available.
Redirect URIs are built from ``ATLAS_PUBLIC_URL``, never from a request's Host header.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Literal, Protocol
from urllib.parse import urlsplit

import msgspec

from adapters.sandbox.config import PROVIDERS, development_client_id, development_secret
from application.integrations.directory import OAuthClientCredentials
from domain.integrations.providers import CATALOG
from domain.shared.secret import Secret

PLATFORMS = tuple(sorted({spec.platform for spec in CATALOG.values()}))
SANDBOX_MOUNT = "/sandbox"


class IntegrationsVariables(Protocol):
    env: Literal["development", "production"]
    sandbox: bool | None
    public_url: str | None
    providers_base_url: str | None
    provider_endpoints: str | None
    oauth_clients_file: str | None
    oauth_return_url: str | None
    token_endpoint_timeout_seconds: float
    refresh_lock_timeout_seconds: float


class IntegrationsSettings(msgspec.Struct, frozen=True, kw_only=True):
    public_url: str  # scheme://host[:port] browsers and providers reach Atlas at
    providers_base_url: str | None  # every platform under <base>/<platform> (the sandbox)
    platform_roots: dict[str, str]  # single platforms re-rooted (paths kept)
    oauth_clients: dict[str, OAuthClientCredentials]  # secrets stay in Secret
    oauth_return_url: str  # where the browser lands after a callback
    # The total deadline of each token-endpoint operation, body and Salesforce's introspection
    # included (a dripping answer ends there); shorter than the lock a refresh holds across it.
    token_endpoint_timeout_seconds: float
    refresh_lock_timeout_seconds: float

    @property
    def in_app_sandbox(self) -> bool:
        """The providers are the sandbox mounted in this very app (talked to in-process)."""
        return self.providers_base_url == self.public_url + SANDBOX_MOUNT


class IntegrationsSettingsError(ValueError):
    pass


def integrations_settings(
    raw: IntegrationsVariables, *, app_origins: tuple[str, ...]
) -> IntegrationsSettings:
    production = raw.env == "production"
    sandbox = not production if raw.sandbox is None else raw.sandbox
    public = _origin(raw.public_url, "ATLAS_PUBLIC_URL", production) if raw.public_url else None
    clients = _clients(raw.oauth_clients_file, production)
    if public is None and production and clients:
        raise IntegrationsSettingsError(
            "ATLAS_PUBLIC_URL is required in production once OAuth clients are configured"
        )
    public = public or app_origins[0]
    base = _providers_base(raw, public, production, sandbox)
    if not clients and base is not None and not production:
        clients = development_clients()
    _check_timeouts(raw)
    return IntegrationsSettings(
        public_url=public,
        providers_base_url=base,
        platform_roots=_roots(raw.provider_endpoints, production),
        oauth_clients=clients,
        oauth_return_url=_return_url(raw.oauth_return_url, app_origins),
        token_endpoint_timeout_seconds=raw.token_endpoint_timeout_seconds,
        refresh_lock_timeout_seconds=raw.refresh_lock_timeout_seconds,
    )


def _origin(value: str, name: str, production: bool) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname or "*" in value:
        raise IntegrationsSettingsError(f"{name}: {value} is not an origin (scheme://host[:port])")
    if parts.path.strip("/") or parts.query or parts.fragment or parts.username:
        raise IntegrationsSettingsError(f"{name}: {value} has more than scheme, host and port")
    if production and parts.scheme != "https":
        raise IntegrationsSettingsError(f"{name}: must use https in production")
    return f"{parts.scheme}://{parts.netloc}"


def _url(value: str, name: str, production: bool) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or "*" in value:
        raise IntegrationsSettingsError(f"{name}: {value} is not an absolute http(s) URL")
    if parts.scheme != "https" and production:
        raise IntegrationsSettingsError(f"{name}: provider endpoints use https in production")
    return value.strip().rstrip("/")


def _providers_base(
    raw: IntegrationsVariables, public: str, production: bool, sandbox: bool
) -> str | None:
    if raw.providers_base_url:
        if production:
            raise IntegrationsSettingsError(
                "ATLAS_PROVIDERS_BASE_URL is refused in production: it re-roots every provider "
                "(a sandbox); set single platforms with ATLAS_PROVIDER_ENDPOINTS"
            )
        return _url(raw.providers_base_url, "ATLAS_PROVIDERS_BASE_URL", production)
    return public + SANDBOX_MOUNT if sandbox and not production else None


def _roots(raw: str | None, production: bool) -> dict[str, str]:
    roots: dict[str, str] = {}
    for entry in (raw or "").split(","):
        if not entry.strip():
            continue
        platform, sep, url = entry.partition("=")
        platform = platform.strip()
        if not sep or platform not in PLATFORMS:
            raise IntegrationsSettingsError(
                f"ATLAS_PROVIDER_ENDPOINTS: {entry.strip()!r} is not <platform>=<url> "
                f"(platforms: {', '.join(PLATFORMS)})"
            )
        roots[platform] = _url(url, "ATLAS_PROVIDER_ENDPOINTS", production)
    return roots


class _Client(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    client_id: str
    client_secret: str


def _clients(file: str | None, production: bool) -> dict[str, OAuthClientCredentials]:
    if not file:
        return {}
    name, path = "ATLAS_OAUTH_CLIENTS_FILE", Path(file)
    try:
        if production and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise IntegrationsSettingsError(f"{name}: {file} must be readable by its owner only")
        decoded = msgspec.json.decode(path.read_bytes(), type=dict[str, _Client])
    except OSError as error:
        raise IntegrationsSettingsError(f"{name}: cannot read {file} ({error.strerror})") from None
    except (msgspec.DecodeError, msgspec.ValidationError):
        raise IntegrationsSettingsError(
            f"{name}: expected JSON {{platform: {{client_id, client_secret}}}}"
        ) from None
    unknown = sorted(set(decoded) - set(PLATFORMS))
    if unknown:
        raise IntegrationsSettingsError(f"{name}: unknown platform {', '.join(unknown)}")
    return {
        platform: OAuthClientCredentials(
            client_id=c.client_id, client_secret=Secret(c.client_secret)
        )
        for platform, c in decoded.items()
        if c.client_id and c.client_secret
    }


def development_clients() -> dict[str, OAuthClientCredentials]:
    """The sandbox's published development registrations (they guard nothing real)."""
    return {
        platform: OAuthClientCredentials(
            client_id=development_client_id(platform),
            client_secret=Secret(development_secret(platform)),
        )
        for platform in PROVIDERS
    }


def _return_url(value: str | None, app_origins: tuple[str, ...]) -> str:
    if not value:
        return app_origins[0] + "/connections"  # the app's Connections screen shows the outcome
    parts = urlsplit(value)
    if f"{parts.scheme}://{parts.netloc}" not in app_origins or parts.query or parts.fragment:
        raise IntegrationsSettingsError(
            "ATLAS_OAUTH_RETURN_URL: must be a URL on one of ATLAS_APP_ORIGIN, without a query"
        )
    return value


def _check_timeouts(raw: IntegrationsVariables) -> None:
    token, lock = raw.token_endpoint_timeout_seconds, raw.refresh_lock_timeout_seconds
    if not 1 <= token <= 60 or not 2 <= lock <= 120 or token >= lock:
        raise IntegrationsSettingsError(
            "ATLAS_TOKEN_ENDPOINT_TIMEOUT_SECONDS (1-60) must be shorter than "
            "ATLAS_REFRESH_LOCK_TIMEOUT_SECONDS (2-120): a refresh never outlives its lock"
        )
