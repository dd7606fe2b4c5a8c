"""The trust page's facts, read from the running configuration: the settings this process
loaded, the password hasher it hashes with, the vault key version it seals under, and the TLS
floor its server enforces. Nothing here is a literal restating a promise."""

from __future__ import annotations

import msgspec

from adapters.crypto.aesgcm_vault import ALGORITHM
from application.identity.ports import PasswordHasher
from application.vault.ports import KeyRing
from domain.vault.model import KeyState
from entrypoints.server import TLS_MINIMUM
from entrypoints.settings import Settings
from entrypoints.settings_compliance import Subprocessor

EMBEDDED_DATABASE = "embedded (local socket)"


class VaultFacts(msgspec.Struct, frozen=True, kw_only=True):
    algorithm: str
    kdf: str
    iterations: int
    key_version: int


class TlsFacts(msgspec.Struct, frozen=True, kw_only=True):
    minimum_version: str  # when Atlas terminates TLS; behind a proxy, the proxy's floor
    database_tls: str


class TokenFacts(msgspec.Struct, frozen=True, kw_only=True):
    jwt_algorithm: str
    access_token_lifetime_seconds: int


class EncryptionFacts(msgspec.Struct, frozen=True, kw_only=True):
    vault: VaultFacts
    tls: TlsFacts
    passwords: dict[str, str | int]
    tokens: TokenFacts


class TrustPage(msgspec.Struct, frozen=True, kw_only=True):
    region: str
    region_urls: dict[str, str]
    encryption: EncryptionFacts
    subprocessors: list[Subprocessor]
    security_txt: str


async def trust_page(settings: Settings, hasher: PasswordHasher, keyring: KeyRing) -> TrustPage:
    compliance, identity = settings.compliance, settings.identity
    return TrustPage(
        region=compliance.residency.region,
        region_urls=dict(compliance.residency.urls),
        encryption=EncryptionFacts(
            vault=await _vault(keyring),
            tls=TlsFacts(
                minimum_version=TLS_MINIMUM.name.replace("_", "."),
                database_tls=database_tls(settings),
            ),
            passwords=hasher.describe(),
            tokens=TokenFacts(
                jwt_algorithm=identity.jwt_algorithm,
                access_token_lifetime_seconds=int(
                    identity.sessions.access_token_lifetime.total_seconds()
                ),
            ),
        ),
        subprocessors=list(compliance.subprocessors),
        security_txt=compliance.security.canonical,
    )


async def _vault(keyring: KeyRing) -> VaultFacts:
    # The version new values are sealed under, with the KDF parameters recorded for it.
    active = next(v for v in await keyring.versions() if v.state is KeyState.ACTIVE)
    return VaultFacts(
        algorithm=ALGORITHM,
        kdf=f"{active.kdf.upper()}-{active.hash.upper()}",
        iterations=active.iterations,
        key_version=active.version,
    )


def database_tls(settings: Settings) -> str:
    """How the service reaches its database: the configured URL's TLS mode (production needs
    verify-full), or the embedded cluster's local socket (``make run``)."""
    url = settings.database_url
    if url is None:
        return EMBEDDED_DATABASE
    return "local socket" if url.is_unix_socket else url.tls_mode


def security_txt(settings: Settings) -> str:
    """RFC 9116: who to tell about a vulnerability, until when this holds, in which languages."""
    contact = settings.compliance.security
    lines = [f"Contact: {uri}" for uri in contact.contacts]
    lines.append(f"Expires: {contact.expires.strftime('%Y-%m-%dT%H:%M:%SZ')}")
    lines.append(f"Preferred-Languages: {', '.join(contact.languages)}")
    lines.append(f"Canonical: {contact.canonical}")
    if contact.policy_url is not None:
        lines.append(f"Policy: {contact.policy_url}")
    return "\n".join(lines) + "\n"
