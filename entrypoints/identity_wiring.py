"""How the identity adapters are built from settings (used by the composition root)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from adapters.crypto.jwt_keyring import KeyringFile, new_keyring, save_keyring
from adapters.crypto.jwt_tokens import JwtAccessTokens
from adapters.crypto.passwords import PasswordHashing, password_hashing
from adapters.email.outbox import FileOutbox
from adapters.email.resend import ResendEmailSender
from application.identity.ports import EmailSender
from application.shared.ports import Clock
from domain.identity.residency import Residency
from domain.identity.sessions import SessionPolicy
from entrypoints.development import ensure_development_secrets
from entrypoints.settings import Settings

DEVELOPMENT_KEYRING = "jwt-keyring.json"


def keyring_path(settings: Settings) -> Path:
    """The configured keyring, or the development one (created on first use, mode 0600)."""
    configured = settings.identity.jwt_keyring_file
    if configured is not None:
        return configured
    path = settings.data_dir / "secrets" / DEVELOPMENT_KEYRING
    if not path.exists():
        ensure_development_secrets(settings.data_dir)  # the directory, mode 0700
        save_keyring(path, new_keyring(settings.identity.jwt_algorithm, datetime.now(UTC)))
    return path


def jwt_access_tokens(settings: Settings, clock: Clock) -> Iterator[JwtAccessTokens]:
    """A Resource, so a missing or broken keyring stops start-up, not the first request."""
    identity = settings.identity
    yield JwtAccessTokens(
        KeyringFile(keyring_path(settings), identity.jwt_algorithm),
        issuer=identity.jwt_issuer,
        audience=identity.jwt_audience,
        lifetime=identity.sessions.access_token_lifetime,
        leeway=identity.jwt_leeway,
        clock=clock,
        residency=residency(settings),
    )


async def password_hasher(settings: Settings) -> AsyncIterator[PasswordHashing]:
    identity = settings.identity
    async for hashing in password_hashing(
        scheme=identity.password_scheme,
        bcrypt_cost=identity.bcrypt_cost,
        concurrency=identity.password_hash_concurrency,
        wait_seconds=identity.password_hash_wait_seconds,
    ):
        yield hashing


def rate_limit_key(settings: Settings) -> bytes:
    """Derived from the master key: every API process computes the same buckets."""
    master = settings.master_key or ensure_development_secrets(settings.data_dir).master_key
    return hmac.new(master.reveal(), b"atlas rate-limit buckets v1", hashlib.sha256).digest()


def email_sender(settings: Settings) -> EmailSender:
    if settings.identity.resend_api_key is not None:
        return ResendEmailSender(settings.identity.resend_api_key, settings.identity.email_from)
    return FileOutbox(settings.data_dir / "outbox")


def residency(settings: Settings) -> Residency:
    return settings.compliance.residency


def session_policy(settings: Settings) -> SessionPolicy:
    return settings.identity.sessions


def accept_link(settings: Settings) -> Callable[[str], str]:
    app = settings.app_origins[0]

    def link(token: str) -> str:
        # In the fragment: browsers never send it to a server, so it stays out of access logs.
        return f"{app}/accept-invitation#token={token}"

    return link


def verify_link(settings: Settings) -> Callable[[str], str]:
    app = settings.app_origins[0]

    def link(token: str) -> str:
        # In the fragment, like an invitation's: it never reaches a server's access log.
        return f"{app}/verify-email#token={token}"

    return link


def development_outbox(settings: Settings) -> Path | None:
    """Where development emails land (no email service configured): the web app tells a new
    user, so that ``make run`` can follow its verification link. None in production."""
    if settings.env != "development" or settings.identity.resend_api_key is not None:
        return None
    return settings.data_dir / "outbox"
