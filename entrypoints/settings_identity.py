"""Identity settings: token signing, session lifetimes, password hashing, proxies, email.

Start-up refuses what security.md R9.1 lists: an algorithm other than EdDSA or ES256, access
tokens living longer than 15 minutes, more than 5 s of leeway, a bcrypt cost below 12, a reuse
window over 30 s, and (in production) a missing keyring or email key.
"""

from __future__ import annotations

import ipaddress
import os
from datetime import timedelta
from importlib import metadata
from pathlib import Path
from typing import Literal, Protocol, cast

import msgspec

from domain.identity.sessions import SessionPolicy
from domain.shared.secret import Secret

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Scheme = Literal["bcrypt", "argon2id"]
JwtAlgorithm = Literal["EdDSA", "ES256"]

# Versions below these have known token-handling flaws (security.md R3.3, R2.2, R6.3).
MINIMUM_VERSIONS = {"pyjwt": (2, 12), "bcrypt": (5, 0), "litestar": (2, 20)}


class IdentityVariables(Protocol):
    """The ``ATLAS_*`` variables this module reads (declared in ``settings._Raw``)."""

    env: Literal["development", "production"]
    jwt_algorithm: str
    jwt_keyring_file: str | None
    jwt_issuer: str
    jwt_audience: str
    jwt_leeway_seconds: int
    access_token_seconds: int
    refresh_idle_seconds: int
    refresh_absolute_seconds: int
    refresh_reuse_window_seconds: int
    password_scheme: str
    bcrypt_cost: int
    password_hash_concurrency: int | None
    password_hash_wait_seconds: float
    trusted_proxies: str | None
    resend_api_key: str | None
    email_from: str


class IdentitySettings(msgspec.Struct, frozen=True, kw_only=True):
    jwt_algorithm: JwtAlgorithm
    jwt_keyring_file: Path | None  # None: the development keyring under the data dir
    jwt_issuer: str
    jwt_audience: str
    jwt_leeway: timedelta
    sessions: SessionPolicy
    password_scheme: Scheme
    bcrypt_cost: int
    password_hash_concurrency: int
    password_hash_wait_seconds: float
    trusted_proxies: tuple[Network, ...]
    resend_api_key: Secret[str] | None
    email_from: str


class IdentitySettingsError(ValueError):
    pass


def _refuse(message: str) -> IdentitySettingsError:
    return IdentitySettingsError(message)


def identity_settings(raw: IdentityVariables) -> IdentitySettings:
    production = raw.env == "production"
    _check_ranges(raw)
    if production and not raw.jwt_keyring_file:
        raise _refuse("ATLAS_JWT_KEYRING_FILE is required in production")
    if production and not raw.resend_api_key:
        raise _refuse("ATLAS_RESEND_API_KEY is required in production (invitations are email)")
    check_library_versions()
    return IdentitySettings(
        jwt_algorithm=cast(JwtAlgorithm, raw.jwt_algorithm),  # checked above
        jwt_keyring_file=Path(raw.jwt_keyring_file) if raw.jwt_keyring_file else None,
        jwt_issuer=raw.jwt_issuer,
        jwt_audience=raw.jwt_audience,
        jwt_leeway=timedelta(seconds=raw.jwt_leeway_seconds),
        sessions=SessionPolicy(
            access_token_lifetime=timedelta(seconds=raw.access_token_seconds),
            idle_timeout=timedelta(seconds=raw.refresh_idle_seconds),
            absolute_lifetime=timedelta(seconds=raw.refresh_absolute_seconds),
            reuse_window=timedelta(seconds=raw.refresh_reuse_window_seconds),
        ),
        password_scheme=cast(Scheme, raw.password_scheme),  # checked above
        bcrypt_cost=raw.bcrypt_cost,
        password_hash_concurrency=raw.password_hash_concurrency or os.cpu_count() or 2,
        password_hash_wait_seconds=raw.password_hash_wait_seconds,
        trusted_proxies=_networks(raw.trusted_proxies),
        resend_api_key=Secret(raw.resend_api_key) if raw.resend_api_key else None,
        email_from=raw.email_from,
    )


def _check_ranges(raw: IdentityVariables) -> None:  # noqa: C901 - one flat list of rules
    if raw.jwt_algorithm not in ("EdDSA", "ES256"):
        raise _refuse("ATLAS_JWT_ALGORITHM: only EdDSA or ES256 (asymmetric, pinned)")
    if not 300 <= raw.access_token_seconds <= 900:
        raise _refuse("ATLAS_ACCESS_TOKEN_SECONDS: between 300 and 900 (5 to 15 minutes)")
    if not 0 <= raw.jwt_leeway_seconds <= 5:
        raise _refuse("ATLAS_JWT_LEEWAY_SECONDS: between 0 and 5")
    if not 0 <= raw.refresh_reuse_window_seconds <= 30:
        raise _refuse("ATLAS_REFRESH_REUSE_WINDOW_SECONDS: between 0 and 30")
    if raw.refresh_idle_seconds <= 0 or raw.refresh_absolute_seconds < raw.refresh_idle_seconds:
        raise _refuse(
            "ATLAS_REFRESH_IDLE_SECONDS must be positive and at most ATLAS_REFRESH_ABSOLUTE_SECONDS"
        )
    if raw.password_scheme not in ("bcrypt", "argon2id"):
        raise _refuse("ATLAS_PASSWORD_SCHEME: bcrypt or argon2id")
    if not 12 <= raw.bcrypt_cost <= 16:
        raise _refuse("ATLAS_BCRYPT_COST: between 12 and 16")
    if raw.password_hash_concurrency is not None and not 1 <= raw.password_hash_concurrency <= 64:
        raise _refuse("ATLAS_PASSWORD_HASH_CONCURRENCY: between 1 and 64")
    if not 0.1 <= raw.password_hash_wait_seconds <= 30:
        raise _refuse("ATLAS_PASSWORD_HASH_WAIT_SECONDS: between 0.1 and 30")
    if not raw.jwt_issuer or not raw.jwt_audience:
        raise _refuse("ATLAS_JWT_ISSUER and ATLAS_JWT_AUDIENCE must not be empty")
    if "@" not in raw.email_from:
        raise _refuse("ATLAS_EMAIL_FROM: an address such as Atlas <no-reply@example.com>")


def _networks(raw: str | None) -> tuple[Network, ...]:
    networks = []
    for entry in (raw or "").split(","):
        if entry.strip():
            try:
                network = ipaddress.ip_network(entry.strip(), strict=False)
            except ValueError:
                raise _refuse(
                    f"ATLAS_TRUSTED_PROXIES: {entry.strip()} is not an IP or CIDR"
                ) from None
            # Trusting a whole address family (or most of it) lets any client pick the
            # address the per-address rate limits count: name your proxies, not the internet.
            if network.prefixlen < (8 if network.version == 4 else 32):
                raise _refuse(f"ATLAS_TRUSTED_PROXIES: {network} is too wide to be your proxies")
            networks.append(network)
    return tuple(networks)


def check_library_versions() -> None:
    for package, minimum in MINIMUM_VERSIONS.items():
        try:
            installed = metadata.version(package)
        except metadata.PackageNotFoundError:
            raise _refuse(f"{package} is not installed") from None
        parts = tuple(int(p) for p in installed.split(".")[:2] if p.isdigit())
        if parts < minimum:
            wanted = ".".join(map(str, minimum))
            raise _refuse(f"{package} {installed} is too old; at least {wanted} is required")
