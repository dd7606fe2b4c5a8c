"""Seal a value of an OAuth flow under the flow's own secret (AES-256-GCM, HKDF-SHA256).

The key is derived from the secret that will be presented to open the value (the start
ticket, the state), so the database holds only ciphertext nobody can open from a copy of it,
not even with the vault's master secret. Each secret has 256 bits of entropy: HKDF's extract
step is all the stretching it needs.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from application.integrations.ports import FlowSealer
from domain.shared.secret import Secret

_INFO = b"atlas oauth flow v1"
_NONCE = 12


def _key(secret: Secret[str], context: bytes) -> AESGCM:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO + b"|" + context)
    return AESGCM(hkdf.derive(secret.reveal().encode("utf-8")))


class AesGcmFlowSealer(FlowSealer):
    def seal(self, key: Secret[str], context: bytes, plaintext: Secret[str]) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + _key(key, context).encrypt(nonce, plaintext.reveal().encode(), context)

    def open(self, key: Secret[str], context: bytes, sealed: bytes) -> Secret[str] | None:
        if len(sealed) <= _NONCE + 16:
            return None
        try:
            plain = _key(key, context).decrypt(sealed[:_NONCE], sealed[_NONCE:], context)
        except InvalidTag:
            return None
        return Secret(plain.decode("utf-8"))
