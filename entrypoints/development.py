"""Development secrets: random values in files of mode 0600 under the data directory.

Created by ``atlas up`` on first run and reused after. Production never writes secrets: it
reads them from settings.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from domain.shared.secret import Secret
from entrypoints.settings_keys import decode_master_key


@dataclass(frozen=True)
class DevelopmentSecrets:
    master_key: Secret[bytes]
    postgres_superuser: Secret[str]
    postgres_owner: Secret[str]
    postgres_app: Secret[str]
    postgres_backup: Secret[str]  # the read-only BYPASSRLS role atlas backup runs as


def ensure_development_secrets(data_dir: Path) -> DevelopmentSecrets:
    directory = data_dir / "secrets"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    directory.chmod(0o700)
    master_file = directory / "master.key"
    master = _ensure(master_file, lambda: base64.b64encode(os.urandom(32)).decode())
    return DevelopmentSecrets(
        # Checked like a configured secret, so a hand-edited file cannot weaken the vault.
        master_key=Secret(decode_master_key(master, str(master_file))),
        postgres_superuser=Secret(_ensure(directory / "postgres-superuser.password", _password)),
        postgres_owner=Secret(_ensure(directory / "postgres-owner.password", _password)),
        postgres_app=Secret(_ensure(directory / "postgres-app.password", _password)),
        postgres_backup=Secret(_ensure(directory / "postgres-backup.password", _password)),
    )


def _password() -> str:
    return secrets.token_urlsafe(32)


def _ensure(path: Path, make: Callable[[], str]) -> str:
    if path.exists():
        path.chmod(0o600)  # repair a copy that lost its mode
        return path.read_text().strip()
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(f"{value}\n")
    return value
