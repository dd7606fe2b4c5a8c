"""The vault: AES-256-GCM with a fresh random 12-byte IV per value and the binding as AAD."""

from __future__ import annotations

import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag

from adapters.crypto.kdf import KEY_BYTES
from adapters.crypto.keyring import Keyring
from adapters.crypto.sealing_key import SealingKey
from application.vault.ports import Vault
from domain.shared.secret import Secret
from domain.vault import envelope
from domain.vault.errors import CredentialUnreadable, ValueTooLarge
from domain.vault.model import MAX_PLAINTEXT_BYTES, Binding, SealedValue

ALGORITHM = f"AES-{KEY_BYTES * 8}-GCM"  # the keyring derives KEY_BYTES keys for AESGCM

_IV, _HEADER, _BODY = envelope.IV_BYTES, envelope.HEADER_BYTES, envelope.BODY_START


class AesGcmVault(Vault):
    """Seals under the keyring's active version; opens under whichever version sealed.

    IVs come from the OS CSPRNG, never from a counter, the time or a record id (R1.1), and
    the full 16-byte tag is kept. Every failure to open (bad tag, malformed envelope, unknown
    or retired key, a key id that disagrees with the row) is one error: ``CredentialUnreadable``.
    Seal and open are the hot path: per-version work lives in ``SealingKey``.
    """

    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring
        self._openers = keyring.openers

    async def seal(self, plaintext: Secret[bytes], binding: Binding) -> SealedValue:
        data = plaintext.reveal()
        if len(data) > MAX_PLAINTEXT_BYTES:
            raise ValueTooLarge()
        key = self._keyring.take(1) or await self._keyring.sealing_key(1)
        return _seal(key, data, binding)

    async def seal_all(self, items: Sequence[tuple[Secret[bytes], Binding]]) -> list[SealedValue]:
        values = [(plaintext.reveal(), binding) for plaintext, binding in items]
        if any(len(data) > MAX_PLAINTEXT_BYTES for data, _ in values):
            raise ValueTooLarge()
        key = self._keyring.take(len(values)) or await self._keyring.sealing_key(len(values))
        return [_seal(key, data, binding) for data, binding in values]

    async def open(self, sealed: SealedValue, binding: Binding) -> Secret[bytes]:
        sealed_envelope = sealed.envelope
        key = self._openers.get(sealed_envelope[:_HEADER]) or await self._slow_key(sealed)
        if key.version != sealed.key_version:
            raise CredentialUnreadable()  # relabelled: the row and the envelope disagree
        try:
            return Secret(
                key.aes.decrypt(
                    sealed_envelope[_HEADER:_BODY],
                    sealed_envelope[_BODY:],
                    binding.aad_prefix + key.suffix,
                )
            )
        except (InvalidTag, ValueError):  # ValueError: truncated, the IV came out too short
            raise CredentialUnreadable() from None

    async def _slow_key(self, sealed: SealedValue) -> SealingKey:
        key_id, _, _ = envelope.unpack(sealed.envelope)  # malformed: unreadable
        return await self._keyring.opening_key(key_id)


def _seal(key: SealingKey, data: bytes, binding: Binding) -> SealedValue:
    iv = os.urandom(_IV)
    body = key.aes.encrypt(iv, data, binding.aad_prefix + key.suffix)
    return SealedValue(key_version=key.version, envelope=key.header + iv + body)
