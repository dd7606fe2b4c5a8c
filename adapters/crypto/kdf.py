"""Key derivation for vault key versions: PBKDF2-HMAC-SHA256, and a one-way key fingerprint."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

KEY_BYTES = 32  # AES-256

Kdf = Callable[[bytes, bytes, int], bytes]
"""``(master_secret, salt, iterations) -> key``; injectable so tests can count derivations."""

_CHECK_LABEL = b"atlas vault key check v1\x00"


def pbkdf2_sha256(master_secret: bytes, salt: bytes, iterations: int) -> bytes:
    kdf = PBKDF2HMAC(algorithm=SHA256(), length=KEY_BYTES, salt=salt, iterations=iterations)
    return kdf.derive(master_secret)


def key_check(key: bytes) -> bytes:
    """A fingerprint that identifies a derived key without revealing it.

    SHA-256 is preimage resistant and the key has 256 bits of entropy, so storing this next to
    the salt gives an attacker nothing; it lets start-up tell a wrong master secret (or altered
    KDF parameters) from a healthy keyring before a single value fails to open.
    """
    return hashlib.sha256(_CHECK_LABEL + key).digest()
