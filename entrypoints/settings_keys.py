"""The vault's master secret as a setting: base64 of random bytes, never a passphrase."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from domain.shared.secret import Secret

MIN_MASTER_KEY_BYTES = 32
# 32 bytes from a CSPRNG hold about 30 distinct values; fewer than 16 happens by chance with
# odds of about 2^-55, and is what zero-filled or repeated "keys" look like.
MIN_MASTER_KEY_DISTINCT_BYTES = 16


class SettingsError(ValueError):
    """Start-up refused; the message names the ``ATLAS_*`` setting at fault."""


def master_key(value: str | None, file: str | None) -> Secret[bytes] | None:
    if value and file:
        raise SettingsError("set ATLAS_MASTER_KEY or ATLAS_MASTER_KEY_FILE, not both")
    name = "ATLAS_MASTER_KEY"
    if file:
        name = "ATLAS_MASTER_KEY_FILE"
        try:
            value = Path(file).read_text().strip()
        except OSError as error:
            raise SettingsError(f"{name}: cannot read {file} ({error.strerror})") from None
    if not value:
        return None
    return Secret(decode_master_key(value, name))


def decode_master_key(value: str, name: str = "ATLAS_MASTER_KEY") -> bytes:
    """Base64 (standard or URL-safe) of at least 32 bytes from a CSPRNG; never a passphrase."""
    text = value.strip().replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SettingsError(f"{name}: must be base64 of at least 32 random bytes") from None
    if len(key) < MIN_MASTER_KEY_BYTES:
        raise SettingsError(f"{name}: decodes to {len(key)} bytes; at least 32 random bytes needed")
    if all(32 <= byte < 127 for byte in key):
        raise SettingsError(f"{name}: decodes to printable text, a passphrase, not random bytes")
    if len(set(key)) < MIN_MASTER_KEY_DISTINCT_BYTES:
        raise SettingsError(
            f"{name}: decodes to repeated bytes, not random ones; generate one with "
            "python -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())'"
        )
    return key
