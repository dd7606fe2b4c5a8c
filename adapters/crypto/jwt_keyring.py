"""The access-token signing keyring: one asymmetric algorithm, keys selected by ``kid``.

Stored as JSON in a file of mode 0600. A key signs once its ``activates_at`` has passed (the
newest such key signs) and verifies until it is retired; a retired key keeps only its ``kid``,
so its tokens fail like any unknown key's. Every API process re-reads the file when it changes,
so a rotation staged a couple of minutes ahead reaches all of them before any token is signed
with the new key (R3.1). HMAC keys never enter a keyring.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from jwt.algorithms import ECAlgorithm, OKPAlgorithm

Algorithm = Literal["EdDSA", "ES256"]
PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey
ALGORITHMS: tuple[Algorithm, ...] = ("EdDSA", "ES256")
log = logging.getLogger("atlas.keys")
FORMAT_VERSION = 1


class KeyringError(ValueError):
    """The keyring file is missing, unreadable, or does not match the configuration."""


@dataclass(frozen=True)
class SigningKey:
    kid: str
    created_at: datetime
    activates_at: datetime
    retired_at: datetime | None = None
    private_key: PrivateKey | None = None

    @property
    def public_key(self) -> PublicKey | None:
        return self.private_key.public_key() if self.private_key is not None else None


@dataclass(frozen=True)
class Keyring:
    algorithm: Algorithm
    keys: tuple[SigningKey, ...]

    def signing_key(self, now: datetime) -> SigningKey:
        usable = [k for k in self.keys if k.retired_at is None and k.activates_at <= now]
        if not usable:
            raise KeyringError("the keyring has no active signing key")
        return max(reversed(usable), key=lambda k: k.activates_at)  # ties: the newest

    def verification_key(self, kid: object) -> PublicKey | None:
        for key in self.keys:
            if key.kid == kid and key.retired_at is None:
                return key.public_key
        return None

    def public_jwks(self) -> list[dict[str, str]]:
        """RFC 7517 public keys of every key that still verifies."""
        keys = []
        for key in self.keys:
            public = key.public_key
            if key.retired_at is not None or public is None:
                continue
            if isinstance(public, ed25519.Ed25519PublicKey):
                jwk = OKPAlgorithm.to_jwk(public, as_dict=True)
            else:
                jwk = ECAlgorithm.to_jwk(public, as_dict=True)
            keys.append({**jwk, "kid": key.kid, "alg": self.algorithm, "use": "sig"})
        return keys

    def with_new_key(self, now: datetime, delay: timedelta) -> tuple[Keyring, SigningKey]:
        key = SigningKey(
            kid=f"{now:%Y%m%d}-{secrets.token_hex(4)}",
            created_at=now,
            activates_at=now + delay,
            private_key=_generate(self.algorithm),
        )
        return Keyring(self.algorithm, (*self.keys, key)), key

    def retire(self, kid: str, now: datetime) -> Keyring:
        if kid not in {k.kid for k in self.keys}:
            raise KeyringError(f"no key {kid} in the keyring")
        if self.signing_key(now).kid == kid:
            raise KeyringError(f"{kid} is the signing key; rotate first, retire it later")
        return Keyring(
            self.algorithm,
            tuple(
                replace(k, retired_at=k.retired_at or now, private_key=None) if k.kid == kid else k
                for k in self.keys
            ),
        )


def new_keyring(algorithm: Algorithm, now: datetime) -> Keyring:
    keyring, _ = Keyring(algorithm, ()).with_new_key(now, timedelta(0))
    return keyring


def _generate(algorithm: Algorithm) -> PrivateKey:
    if algorithm == "EdDSA":
        return ed25519.Ed25519PrivateKey.generate()
    return ec.generate_private_key(ec.SECP256R1())


def load_keyring(path: Path, algorithm: Algorithm) -> Keyring:
    try:
        document = json.loads(path.read_text())
        if document.get("version") != FORMAT_VERSION:
            raise KeyringError(f"{path}: unknown keyring format")
        keyring = Keyring(document["algorithm"], tuple(_key(k) for k in document["keys"]))
    except OSError as error:
        raise KeyringError(f"cannot read the JWT keyring {path}: {error.strerror}") from None
    except (KeyError, TypeError, ValueError) as error:
        raise KeyringError(f"{path} is not a valid JWT keyring ({error})") from None
    if keyring.algorithm != algorithm:
        raise KeyringError(f"{path} holds {keyring.algorithm} keys; configured is {algorithm}")
    for key in keyring.keys:
        if key.private_key is not None and not _matches(key.private_key, algorithm):
            raise KeyringError(f"{path}: key {key.kid} is not an {algorithm} key")
    return keyring


def _matches(key: PrivateKey, algorithm: Algorithm) -> bool:
    if algorithm == "EdDSA":
        return isinstance(key, ed25519.Ed25519PrivateKey)
    return isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"


def _key(raw: dict[str, Any]) -> SigningKey:
    pem = raw.get("private_key")
    private = serialization.load_pem_private_key(pem.encode(), password=None) if pem else None
    if private is not None and not isinstance(private, PrivateKey):
        raise ValueError(f"key {raw['kid']} is neither Ed25519 nor EC")
    retired = raw.get("retired_at")
    return SigningKey(
        kid=str(raw["kid"]),
        created_at=datetime.fromisoformat(raw["created_at"]),
        activates_at=datetime.fromisoformat(raw["activates_at"]),
        retired_at=datetime.fromisoformat(retired) if retired else None,
        private_key=private,
    )


def save_keyring(path: Path, keyring: Keyring) -> None:
    """Written to a temporary file of mode 0600 and renamed: readers never see half a file."""
    document = {
        "version": FORMAT_VERSION,
        "algorithm": keyring.algorithm,
        "keys": [
            {
                "kid": k.kid,
                "created_at": k.created_at.isoformat(),
                "activates_at": k.activates_at.isoformat(),
                "retired_at": k.retired_at.isoformat() if k.retired_at else None,
                "private_key": _pem(k.private_key) if k.private_key is not None else None,
            }
            for k in keyring.keys
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(document, out, indent=2)
    os.replace(temporary, path)


def _pem(key: PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


class KeyringFile:
    """The keyring as the API sees it: re-read when the file changes (checked every 30 s)."""

    def __init__(self, path: Path, algorithm: Algorithm, check_every: float = 30.0) -> None:
        self._path, self._algorithm, self._every = path, algorithm, check_every
        self._keyring = load_keyring(path, algorithm)  # refuses to start without a valid one
        self._stamp = self._mtime()
        self._checked = time.monotonic()

    def _mtime(self) -> float:
        try:
            return self._path.stat().st_mtime
        except OSError:
            return self._stamp

    def current(self) -> Keyring:
        if time.monotonic() - self._checked >= self._every:
            self._checked = time.monotonic()
            stamp = self._mtime()
            if stamp != self._stamp:
                try:
                    self._keyring, self._stamp = load_keyring(self._path, self._algorithm), stamp
                except KeyringError as error:
                    # Keep serving with the keys we have; say loudly that the file is broken.
                    log.error("JWT keyring not reloaded: %s", error)
        return self._keyring
