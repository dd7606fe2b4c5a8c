"""``atlas db``: the embedded PostgreSQL's lifecycle and addresses, and production provisioning."""

from __future__ import annotations

import asyncio
import os

import click

from adapters.postgres.provision import provision
from domain.shared.secret import Secret
from entrypoints.cli_common import load
from entrypoints.database import embedded_database


@click.group()
def db() -> None:
    """The embedded PostgreSQL (data under ATLAS_DATA_DIR/postgres)."""


@db.command()
def start() -> None:
    """Create (first time) and start the embedded database; roles and schema included."""
    embedded = embedded_database(load())
    asyncio.run(embedded.start())
    click.echo(f"Embedded PostgreSQL running ({embedded.cluster.binaries.version()}).")


@db.command()
def stop() -> None:
    """Stop the embedded database."""
    embedded_database(load()).stop()
    click.echo("Embedded PostgreSQL stopped.")


@db.command()
def url() -> None:
    """Print the owner and app connection URLs of the embedded database (they hold passwords)."""
    endpoints = embedded_database(load()).endpoints
    assert endpoints.owner is not None  # noqa: S101 - always set for the embedded database
    click.echo(f"owner  {endpoints.owner.render(hide_password=False)}")
    click.echo(f"app    {endpoints.app.render(hide_password=False)}")
    if endpoints.backup is not None:
        click.echo(f"backup {endpoints.backup.render(hide_password=False)}")


@db.command(context_settings={"ignore_unknown_options": True})
@click.option("--role", type=click.Choice(["app", "owner", "superuser"]), default="app")
@click.argument("psql_args", nargs=-1, type=click.UNPROCESSED)
def psql(role: str, psql_args: tuple[str, ...]) -> None:
    """Open psql on the embedded database as one of its roles (extra arguments go to psql)."""
    embedded = embedded_database(load())
    endpoints = embedded.endpoints
    target = {"app": endpoints.app, "owner": endpoints.owner, "superuser": endpoints.superuser}[
        role
    ]
    assert target is not None  # noqa: S101
    if not embedded.cluster.is_running():
        raise click.ClickException("the embedded database is not running: atlas db start")
    binary = embedded.cluster.binaries.tool("psql")
    # The password goes through the environment, never argv (visible in ps).
    env = {**os.environ, "PGPASSWORD": target.password or ""}
    database = target.database if role != "superuser" else "atlas"
    os.execve(  # noqa: S606
        binary,
        [
            str(binary),
            "-h",
            str(target.socket_dir),
            "-p",
            str(target.port),
            "-U",
            target.user,
            "-d",
            database,
            *psql_args,
        ],
        env,
    )


@db.command("provision")
def provision_command() -> None:
    """Create Atlas's roles, database and schema on a managed PostgreSQL (production).

    Reads ATLAS_DATABASE_ADMIN_URL (a role that may create roles and databases) and takes the
    role passwords from ATLAS_DATABASE_URL and ATLAS_DATABASE_OWNER_URL, and the read-only
    backup role's from ATLAS_DATABASE_BACKUP_URL when it is set.
    """
    settings = load()
    admin = settings.database_admin_url
    if admin is None or settings.database_url is None or settings.database_owner_url is None:
        raise click.ClickException(
            "set ATLAS_DATABASE_ADMIN_URL, ATLAS_DATABASE_URL and ATLAS_DATABASE_OWNER_URL"
        )
    backup = settings.backup.database_url
    asyncio.run(
        provision(
            admin,
            owner_password=Secret(settings.database_owner_url.password or ""),
            app_password=Secret(settings.database_url.password or ""),
            backup_password=Secret(backup.password or "") if backup else None,
            database=settings.database_url.database,
        )
    )
    click.echo("Roles, database and schema are in place; now run atlas migrate.")
