"""One typed settings object, read from ``ATLAS_*`` environment variables at start-up.

A mistyped variable, a malformed value, or (in production) a missing secret or an unverified
database connection stops start-up with a message that names the setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

import msgspec

from adapters.postgres.url import DatabaseUrl
from adapters.sandbox.seed.scale import ScaleError, parse_scale
from application.feed.messages import FeedLimits
from domain.shared.secret import Secret
from entrypoints import settings_compliance as compliance
from entrypoints import settings_integrations as integrations
from entrypoints.settings_backup import BackupSettings, backup_settings
from entrypoints.settings_database import check_database_tls
from entrypoints.settings_database import database_url as _database_url
from entrypoints.settings_identity import IdentitySettings, IdentitySettingsError, identity_settings
from entrypoints.settings_keys import SettingsError as SettingsError  # re-exported
from entrypoints.settings_keys import master_key
from entrypoints.settings_listen import listen_host, listen_port, metrics_listener
from entrypoints.settings_sync import SyncSettings, SyncSettingsError, sync_settings

Environment = Literal["development", "production"]
PREFIX = "ATLAS_"
WEB_DIST = Path(__file__).resolve().parent.parent / "web" / "dist"  # the repo's, not the cwd's


class _Raw(compliance.ComplianceVariables, kw_only=True, forbid_unknown_fields=True):
    """The variables as typed values, before cross-field rules; names are ATLAS_<FIELD>."""

    env: Environment = "development"
    data_dir: str = ".atlas"
    web_dir: str | None = None  # the built browser app (index.html, assets/); default WEB_DIST
    database_url: str | None = None
    database_owner_url: str | None = None
    database_admin_url: str | None = None
    database_allow_unverified_tls: bool = False
    app_origin: str | None = None
    host: str = "127.0.0.1"  # in development, loopback unless expose_development (settings_listen)
    expose_development: bool = False
    metrics_address: str = "127.0.0.1:9464"  # host:port of the metrics listener, or "off"
    port: int = msgspec.field(default=8443)
    tls_cert_file: str | None = None
    tls_key_file: str | None = None
    master_key: str | None = None
    master_key_file: str | None = None
    postgres_system_user: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] | None = None  # default: json in production, else text
    # Provider sandbox mounted at /sandbox: on by default in development, refused in production.
    sandbox: bool | None = None
    sandbox_scale: str = "1"  # the sandbox company's size: a number from 1, or "large"
    # Identity and sessions: checked in settings_identity.py.
    jwt_algorithm: str = "EdDSA"
    jwt_keyring_file: str | None = None
    jwt_issuer: str = "urn:atlas"
    jwt_audience: str = "urn:atlas:api"
    jwt_leeway_seconds: int = 5
    access_token_seconds: int = 600
    refresh_idle_seconds: int = 7 * 24 * 3600
    refresh_absolute_seconds: int = 30 * 24 * 3600
    refresh_reuse_window_seconds: int = 10
    password_scheme: str = "bcrypt"  # noqa: S105 - a scheme's name
    bcrypt_cost: int = 12
    password_hash_concurrency: int | None = None
    password_hash_wait_seconds: float = 5.0
    trusted_proxies: str | None = None
    resend_api_key: str | None = None
    email_from: str = "Atlas <no-reply@atlas.invalid>"
    # Integrations (issue 5): checked in settings_integrations.py.
    public_url: str | None = None
    providers_base_url: str | None = None
    provider_endpoints: str | None = None
    oauth_clients_file: str | None = None
    oauth_return_url: str | None = None
    token_endpoint_timeout_seconds: float = 20.0
    refresh_lock_timeout_seconds: float = 30.0
    # Sync and the worker (issue 9): checked in settings_sync.py.
    sync_interval_seconds: int = 900
    worker_concurrency: int = 4
    worker_heartbeat_seconds: float = 60.0
    provider_call_deadline_seconds: float = 30.0
    # The realtime feed (issue 11): events held per socket, and how long a client may stall.
    feed_queue_events: int = 1000
    feed_stall_seconds: float = 10.0
    # Backups (issue 13): checked in settings_backup.py.
    database_backup_url: str | None = None
    backup_dir: str | None = None
    backup_retention_days: int = 7
    map_cache_bytes: Annotated[int, msgspec.Meta(ge=0, le=64 << 30)] = 512 << 20  # per process


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    env: Environment
    data_dir: Path
    web_dir: Path
    database_url: DatabaseUrl | None
    database_owner_url: DatabaseUrl | None
    database_admin_url: DatabaseUrl | None
    database_allow_unverified_tls: bool
    app_origins: tuple[str, ...]
    region: str
    host: str
    expose_development: bool
    metrics_address: tuple[str, int] | None = None  # None: no metrics listener
    port: int
    tls_cert_file: Path | None
    tls_key_file: Path | None
    master_key: Secret[bytes] | None
    postgres_system_user: str | None
    log_level: str
    log_format: Literal["text", "json"]
    sandbox: bool = False
    sandbox_scale: float = 1
    identity: IdentitySettings
    integrations: integrations.IntegrationsSettings
    sync: SyncSettings
    compliance: compliance.ComplianceSettings  # residency, security.txt, subprocessors
    feed: FeedLimits = FeedLimits()
    backup: BackupSettings = BackupSettings()
    map_cache_bytes: int = 512 << 20

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def embedded_database(self) -> bool:
        return self.database_url is None


def known_variables() -> list[str]:
    return [PREFIX + name.upper() for name in _Raw.__struct_fields__]


def load_settings(environ: Mapping[str, str], *, cwd: Path | None = None) -> Settings:
    raw = _read_raw(environ)
    base = (cwd or Path.cwd()).resolve()
    origins = _origins(raw.app_origin, raw.env)
    integrated = _integrations(raw, origins)
    pinned = compliance.compliance_settings(
        raw, production=raw.env == "production", public_url=integrated.public_url
    )
    settings = Settings(
        env=raw.env,
        data_dir=(base / raw.data_dir).resolve(),
        web_dir=(base / raw.web_dir).resolve() if raw.web_dir else WEB_DIST,
        database_url=_database_url(raw.database_url, "ATLAS_DATABASE_URL"),
        database_owner_url=_database_url(raw.database_owner_url, "ATLAS_DATABASE_OWNER_URL"),
        database_admin_url=_database_url(raw.database_admin_url, "ATLAS_DATABASE_ADMIN_URL"),
        database_allow_unverified_tls=raw.database_allow_unverified_tls,
        app_origins=origins,
        region=pinned.residency.region,
        host=listen_host(raw),
        expose_development=raw.expose_development,
        metrics_address=metrics_listener(raw.metrics_address),
        port=listen_port(raw.port),
        tls_cert_file=Path(raw.tls_cert_file) if raw.tls_cert_file else None,
        tls_key_file=Path(raw.tls_key_file) if raw.tls_key_file else None,
        master_key=master_key(raw.master_key, raw.master_key_file),
        postgres_system_user=raw.postgres_system_user,
        log_level=raw.log_level,
        log_format=raw.log_format or ("json" if raw.env == "production" else "text"),
        sandbox=raw.env == "development" if raw.sandbox is None else raw.sandbox,
        sandbox_scale=_sandbox_scale(raw.sandbox_scale),
        identity=_identity(raw),
        integrations=integrated,
        sync=_sync(raw),
        compliance=pinned,
        feed=_feed(raw),
        map_cache_bytes=raw.map_cache_bytes,
        backup=backup_settings(
            raw,
            base=base,
            data_dir=(base / raw.data_dir).resolve(),
            production=raw.env == "production",
        ),
    )
    _check_database_tls(settings)
    if settings.production:
        _check_production(settings)
    return settings


def _read_raw(environ: Mapping[str, str]) -> _Raw:
    values = {k[len(PREFIX) :].lower(): v for k, v in environ.items() if k.startswith(PREFIX)}
    unknown = sorted(set(values) - set(_Raw.__struct_fields__))
    if unknown:
        names = ", ".join(PREFIX + name.upper() for name in unknown)
        raise SettingsError(
            f"unknown setting {names}; known settings: {', '.join(known_variables())}"
        )
    try:
        return msgspec.convert(values, _Raw, strict=False)
    except msgspec.ValidationError as error:
        raise SettingsError(_name_the_setting(str(error))) from None


def _name_the_setting(message: str) -> str:
    # msgspec says "... - at `$.port`": turn the path back into the variable's name.
    head, _, path = message.partition(" - at `$.")
    field = path.rstrip("`")
    return f"{PREFIX}{field.upper()}: {head}" if field else message


def _feed(raw: _Raw) -> FeedLimits:
    if not 1 <= raw.feed_queue_events <= 100_000:
        raise SettingsError("ATLAS_FEED_QUEUE_EVENTS: give a number from 1 to 100000")
    if not 0.5 <= raw.feed_stall_seconds <= 300:
        raise SettingsError("ATLAS_FEED_STALL_SECONDS: give a number of seconds from 0.5 to 300")
    return FeedLimits(queue=raw.feed_queue_events, stall_seconds=raw.feed_stall_seconds)


def _identity(raw: _Raw) -> IdentitySettings:
    try:
        return identity_settings(raw)
    except IdentitySettingsError as error:
        raise SettingsError(str(error)) from None


def _integrations(raw: _Raw, origins: tuple[str, ...]) -> integrations.IntegrationsSettings:
    try:
        return integrations.integrations_settings(raw, app_origins=origins)
    except integrations.IntegrationsSettingsError as error:
        raise SettingsError(str(error)) from None


def _sync(raw: _Raw) -> SyncSettings:
    try:
        return sync_settings(raw)
    except SyncSettingsError as error:
        raise SettingsError(str(error)) from None


def _sandbox_scale(raw: str) -> float:
    try:
        return parse_scale(raw)
    except ScaleError as error:
        raise SettingsError(f"ATLAS_SANDBOX_SCALE: {error}") from None


def _origins(raw: str | None, env: Environment) -> tuple[str, ...]:
    if raw is None:
        if env == "production":
            raise SettingsError("ATLAS_APP_ORIGIN is required in production")
        return ("https://127.0.0.1:8443", "https://localhost:8443")
    origins = tuple(o.strip() for o in raw.split(",") if o.strip())
    if not origins:
        raise SettingsError("ATLAS_APP_ORIGIN: give at least one origin")
    for origin in origins:
        _check_origin(origin, env)
    return origins


def _check_origin(origin: str, env: Environment) -> None:
    # An origin is exactly scheme://host[:port]. A wildcard anywhere would make the CORS layer
    # match patterns, and Litestar treats any '*' as one.
    if "*" in origin:
        raise SettingsError(f"ATLAS_APP_ORIGIN: wildcards are not allowed ({origin})")
    parts = urlsplit(origin)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise SettingsError(f"ATLAS_APP_ORIGIN: {origin} is not an origin (scheme://host[:port])")
    if parts.path or parts.query or parts.fragment or parts.username:
        raise SettingsError(f"ATLAS_APP_ORIGIN: {origin} has more than scheme, host and port")
    if env == "production" and parts.scheme != "https":
        raise SettingsError(f"ATLAS_APP_ORIGIN: {origin} must use https in production")


def _check_database_tls(settings: Settings) -> None:
    check_database_tls(
        (
            ("ATLAS_DATABASE_URL", settings.database_url),
            ("ATLAS_DATABASE_OWNER_URL", settings.database_owner_url),
            ("ATLAS_DATABASE_ADMIN_URL", settings.database_admin_url),
            ("ATLAS_DATABASE_BACKUP_URL", settings.backup.database_url),
        ),
        allow_unverified=settings.database_allow_unverified_tls,
        production=settings.production,
    )


def _check_production(settings: Settings) -> None:
    if settings.sandbox:
        raise SettingsError("ATLAS_SANDBOX is refused in production: it is for development")
    if settings.database_allow_unverified_tls:
        raise SettingsError("ATLAS_DATABASE_ALLOW_UNVERIFIED_TLS is refused in production")
    if settings.database_url is None:
        raise SettingsError("ATLAS_DATABASE_URL is required in production")
    if settings.master_key is None:
        raise SettingsError("ATLAS_MASTER_KEY or ATLAS_MASTER_KEY_FILE is required in production")
    if bool(settings.tls_cert_file) != bool(settings.tls_key_file):
        raise SettingsError("set both ATLAS_TLS_CERT_FILE and ATLAS_TLS_KEY_FILE, or neither")
