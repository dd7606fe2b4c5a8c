"""Opening a backup file: authenticate all of it, then hand over its manifest and its dump.

Nothing is restored from a file until every segment has passed authentication, so a file that
is corrupted, cut short, or sealed under another master secret restores nothing at all. The
dump is decrypted into a private temporary directory (0700) that the caller removes.
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

from adapters.backup.dump import MANIFEST_LENGTH
from adapters.backup.sealing import BackupUnreadable, open_sealed
from domain.compliance.backup import Manifest
from domain.shared.secret import Secret

_MANIFEST_LIMIT = 64 << 20


def unseal(file: Path, master: Secret[bytes], workdir: Path) -> tuple[Manifest, Path, int]:
    """The manifest, the path of the decrypted custom-format dump, and its size in bytes."""
    dump = workdir / "atlas.dump"
    try:
        source = file.open("rb")
    except OSError as error:
        raise BackupUnreadable(f"cannot read {file}: {error.strerror}") from None
    fd = os.open(dump, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with source, os.fdopen(fd, "wb") as out:
        head = bytearray()
        manifest: Manifest | None = None
        written = 0
        for plaintext in open_sealed(source, master):
            if manifest is None:
                head += plaintext
                manifest, rest = _manifest(head)
                if manifest is None:
                    continue
                plaintext = rest
            out.write(plaintext)
            written += len(plaintext)
    if manifest is None:
        raise BackupUnreadable("the manifest is cut short")
    return manifest, dump, written


def _manifest(head: bytearray) -> tuple[Manifest | None, bytes]:
    if len(head) < MANIFEST_LENGTH.size:
        return None, b""
    (length,) = MANIFEST_LENGTH.unpack_from(head)
    if length > _MANIFEST_LIMIT:
        raise BackupUnreadable(f"implausible manifest length {length}")
    end = MANIFEST_LENGTH.size + length
    if len(head) < end:
        return None, b""
    try:
        manifest = msgspec.json.decode(bytes(head[MANIFEST_LENGTH.size : end]), type=Manifest)
    except msgspec.ValidationError as error:
        raise BackupUnreadable(f"the manifest does not decode: {error}") from None
    return manifest, bytes(head[end:])
