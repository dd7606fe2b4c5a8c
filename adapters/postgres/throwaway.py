"""Throwaway clusters for tests and benchmarks: provisioned, migrated, destroyed afterwards."""

from __future__ import annotations

import secrets
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

from adapters.postgres.cluster import SUPERUSER, Binaries, LocalCluster, TcpListener
from adapters.postgres.migrate import upgrade
from adapters.postgres.provision import provision
from adapters.postgres.roles import APP_ROLE, BACKUP_ROLE, DATABASE, OWNER_ROLE
from adapters.postgres.url import DatabaseUrl
from domain.shared.secret import Secret


@dataclass(frozen=True)
class ThrowawayDatabase:
    cluster: LocalCluster
    superuser: DatabaseUrl
    owner: DatabaseUrl
    app: DatabaseUrl
    backup: DatabaseUrl  # the read-only BYPASSRLS role pg_dump runs as


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def start_throwaway_database(
    binaries: Binaries | None = None, *, tcp: TcpListener | None = None
) -> ThrowawayDatabase:
    """A fresh cluster in a temporary directory, ready for the app role. Call ``destroy``."""
    root = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
    cluster = LocalCluster(root, binaries or Binaries.embedded(), tcp=tcp, durable=False)
    passwords = {
        role: secrets.token_urlsafe(24) for role in (SUPERUSER, OWNER_ROLE, APP_ROLE, BACKUP_ROLE)
    }
    cluster.initialise(passwords[SUPERUSER])
    cluster.start()
    database = ThrowawayDatabase(
        cluster=cluster,
        superuser=cluster.socket_url(SUPERUSER, passwords[SUPERUSER]),
        owner=cluster.socket_url(OWNER_ROLE, passwords[OWNER_ROLE], DATABASE),
        app=cluster.socket_url(APP_ROLE, passwords[APP_ROLE], DATABASE),
        backup=cluster.socket_url(BACKUP_ROLE, passwords[BACKUP_ROLE], DATABASE),
    )
    try:
        await provision(
            database.superuser,
            owner_password=Secret(passwords[OWNER_ROLE]),
            app_password=Secret(passwords[APP_ROLE]),
            backup_password=Secret(passwords[BACKUP_ROLE]),
        )
        await upgrade(database.owner)
    except BaseException:
        cluster.destroy()
        raise
    return database
