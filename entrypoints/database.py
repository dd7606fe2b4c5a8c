"""Where the database is: the configured one, or the embedded PostgreSQL under the data dir."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.postgres.cluster import SUPERUSER, Binaries, LocalCluster
from adapters.postgres.provision import provision
from adapters.postgres.roles import APP_ROLE, BACKUP_ROLE, DATABASE, OWNER_ROLE
from adapters.postgres.url import DatabaseUrl
from entrypoints.development import DevelopmentSecrets, ensure_development_secrets
from entrypoints.settings import Settings, SettingsError


@dataclass(frozen=True)
class DatabaseEndpoints:
    """The app role's URL (what the service uses) and the owner's (what migrations use)."""

    app: DatabaseUrl
    owner: DatabaseUrl | None
    superuser: DatabaseUrl | None = None
    backup: DatabaseUrl | None = None  # atlas_backup: BYPASSRLS, read-only, for pg_dump


class EmbeddedDatabase:
    """The cluster under ``<data dir>/postgres``, with roles and passwords from dev secrets."""

    def __init__(self, settings: Settings, secrets: DevelopmentSecrets) -> None:
        self.cluster = LocalCluster(
            settings.data_dir / "postgres",
            Binaries.embedded(),
            system_user=settings.postgres_system_user,
        )
        self._secrets = secrets

    @property
    def endpoints(self) -> DatabaseEndpoints:
        s, c = self._secrets, self.cluster
        return DatabaseEndpoints(
            app=c.socket_url(APP_ROLE, s.postgres_app.reveal(), DATABASE),
            owner=c.socket_url(OWNER_ROLE, s.postgres_owner.reveal(), DATABASE),
            superuser=c.socket_url(SUPERUSER, s.postgres_superuser.reveal()),
            backup=c.socket_url(BACKUP_ROLE, s.postgres_backup.reveal(), DATABASE),
        )

    async def start(self) -> None:
        """Create the cluster on first use, start it, and (re)assert roles and database."""
        self.cluster.initialise(self._secrets.postgres_superuser.reveal())
        self.cluster.start()
        superuser = self.endpoints.superuser
        assert superuser is not None  # noqa: S101 - always set for the embedded database
        await provision(
            superuser,
            owner_password=self._secrets.postgres_owner,
            app_password=self._secrets.postgres_app,
            backup_password=self._secrets.postgres_backup,
        )

    def stop(self) -> None:
        self.cluster.stop()


def embedded_database(settings: Settings) -> EmbeddedDatabase:
    if settings.production:
        raise SettingsError("ATLAS_DATABASE_URL is required in production")
    return EmbeddedDatabase(settings, ensure_development_secrets(settings.data_dir))


def configured_endpoints(settings: Settings) -> DatabaseEndpoints:
    """The endpoints the service should use, embedded or configured."""
    if settings.database_url is None:
        return embedded_database(settings).endpoints
    return DatabaseEndpoints(
        app=settings.database_url,
        owner=settings.database_owner_url,
        backup=settings.backup.database_url,
    )
