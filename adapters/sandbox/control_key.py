"""The secret the sandbox's control API asks for, kept in the data directory (mode 0600).

The control API registers OAuth clients, injects faults and moves the clock: anyone who can
reach it could register a redirect URI and turn the sandbox's authorize endpoint into an open
redirect on Atlas's origin. So every control request presents this key in ``CONTROL_HEADER``;
the server and its callers (tests, benchmarks, a developer's curl) read the same file.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import secrets
from pathlib import Path

from domain.shared.secret import Secret

CONTROL_HEADER = "X-Sandbox-Control"


def control_key_file(data_dir: Path) -> Path:
    return data_dir / "sandbox" / "control.key"


def ensure_control_key(data_dir: Path) -> Secret[str]:
    """The key in ``data_dir``, generated on first use; the same one for every process after.

    A fresh key is written to a name of its own and then hard-linked into place: the link either
    wins or finds the file already there, so two processes starting at once never read a half
    written key, and neither replaces the other's.
    """
    path = control_key_file(data_dir)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        draft = path.with_name(f".control.key.{secrets.token_hex(8)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(32) + "\n")
        try:
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
        finally:
            draft.unlink()
    return read_control_key(path)


def read_control_key(path: Path) -> Secret[str]:
    key = path.read_text().strip()
    if not key:
        raise ValueError(f"{path} is empty: delete it and restart the sandbox")
    return Secret(key)


def control_headers(key: Secret[str]) -> dict[str, str]:
    """What a caller of the control API sends."""
    return {CONTROL_HEADER: key.reveal()}


def presents(given: str | None, key: Secret[str] | None) -> bool:
    """Whether ``given`` is the key, compared in constant time; no key configured admits none."""
    if given is None or key is None:
        return False
    return hmac.compare_digest(given.encode(), key.reveal().encode())
