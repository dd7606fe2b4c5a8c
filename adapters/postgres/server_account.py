"""The OS account PostgreSQL runs as: ourselves, or an unprivileged user when we are root.

PostgreSQL refuses to run as root, and CI machines run as root.
"""

from __future__ import annotations

import logging
import os
import pwd
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


class ServerAccountError(RuntimeError):
    pass


@dataclass(frozen=True)
class ServerAccount:
    """The OS account the server runs as: ourselves, or an unprivileged user when we are root."""

    name: str | None
    uid: int | None = None
    gid: int | None = None

    def own(self, path: Path) -> None:
        if self.uid is not None and self.gid is not None:
            os.chown(path, self.uid, self.gid)

    def make_reachable(self, path: Path) -> None:
        """Let the server account traverse every ancestor of ``path`` (search permission only).

        A checkout made with ``mktemp -d`` sits under a 0700 directory; without ``o+x`` on it the
        unprivileged server cannot reach its own data or binaries.
        """
        if self.name is None:
            return
        for ancestor in [path, *path.parents]:
            mode = ancestor.stat().st_mode
            if not mode & stat.S_IXOTH:
                log.info(
                    "granting search permission on %s to run PostgreSQL as %s", ancestor, self.name
                )
                ancestor.chmod(mode | stat.S_IXOTH)


def server_account(requested: str | None) -> ServerAccount:
    if os.geteuid() != 0:
        return ServerAccount(name=None)
    name = requested or _default_system_user()
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(  # noqa: S603
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],  # noqa: S607
            check=True,
            capture_output=True,
        )
        entry = pwd.getpwnam(name)
    if entry.pw_uid == 0:
        raise ServerAccountError(f"{name} is root; PostgreSQL needs an unprivileged account")
    return ServerAccount(name=name, uid=entry.pw_uid, gid=entry.pw_gid)


def _default_system_user() -> str:
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "atlas_postgres"
    return "postgres"
