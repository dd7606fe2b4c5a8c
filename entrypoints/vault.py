"""Wiring the vault: this environment's master secret, and the keyring's start and stop."""

from __future__ import annotations

from collections.abc import AsyncIterator

from adapters.crypto.kdf import Kdf, pbkdf2_sha256
from adapters.crypto.keyring import Keyring, KeyringPolicy
from application.shared.ports import Clock
from application.vault.ports import KeyUsageAlerts, KeyVersionRepository
from domain.shared.secret import Secret
from entrypoints.development import ensure_development_secrets
from entrypoints.settings import Settings, SettingsError


def master_secret(settings: Settings) -> Secret[bytes]:
    """Production reads it from settings (and never writes one); development makes its own."""
    if settings.master_key is not None:
        return settings.master_key
    if settings.production:
        raise SettingsError("ATLAS_MASTER_KEY or ATLAS_MASTER_KEY_FILE is required in production")
    return ensure_development_secrets(settings.data_dir).master_key


async def open_keyring(
    master: Secret[bytes],
    versions: KeyVersionRepository,
    clock: Clock,
    alerts: KeyUsageAlerts,
    *,
    kdf: Kdf = pbkdf2_sha256,
    policy: KeyringPolicy | None = None,
) -> AsyncIterator[Keyring]:
    """A Resource: derives every usable version once, before the first request (R1.2).

    A master secret that derives none of the stored versions stops start-up here.
    """
    keyring = Keyring(master, versions, clock, alerts, kdf=kdf, policy=policy)
    await keyring.start()
    yield keyring
