"""The ``atlas`` command line: run, serve, migrate, check, and manage the embedded database."""

from __future__ import annotations

import asyncio
import importlib
import sys
from typing import TYPE_CHECKING

import click

from entrypoints.cli_common import database_running, listening_host, load, terminated_as_exit

if TYPE_CHECKING:
    from pathlib import Path

    from adapters.crypto.dev_tls import TlsMaterial
    from entrypoints.database import EmbeddedDatabase
    from entrypoints.settings import Settings

# Each command's module is imported when the command runs, not when ``atlas`` starts: a command
# pays for what it uses (``atlas import`` needs no web server, migrations or TLS tooling).
LAZY_COMMANDS = {
    "db": "entrypoints.cli_db:db",
    "keys": "entrypoints.cli_keys:keys",
    "sandbox": "entrypoints.cli_sandbox:sandbox",
    "import": "entrypoints.cli_graph:import_log",  # graph
    "process-map": "entrypoints.cli_graph:process_map",  # graph
    "worker": "entrypoints.cli_sync:worker",  # sync
    "sync": "entrypoints.cli_sync:sync",  # sync
    "tenants": "entrypoints.cli_tenants:tenants",  # tenants: list, create, purge-due
    "demo": "entrypoints.cli_demo:demo",  # sync: a new user's first minutes
    "feed": "entrypoints.cli_feed:feed",  # the realtime feed (issue 11)
    "audit": "entrypoints.cli_audit:audit",  # compliance (issue 13): atlas audit verify
    "backup": "entrypoints.cli_backup:backup",  # compliance (issue 13): a sealed backup
    "restore": "entrypoints.cli_backup:restore",  # compliance (issue 13): a verified restore
    "status": "entrypoints.cli_status:status",  # operability (issue 18): one screen for operators
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS:
            module, name = LAZY_COMMANDS[cmd_name].split(":")
            command: click.Command = getattr(importlib.import_module(module), name)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup)
def main() -> None:
    """Atlas: a context graph of how your company's work gets done."""


@main.command()
def up() -> None:
    """Start everything for development: database, migrations, secrets, TLS, HTTPS server."""
    from adapters.crypto.dev_tls import ensure_development_certificate
    from entrypoints.database import embedded_database

    settings = load()
    if settings.production:
        raise click.ClickException("atlas up is for development; use atlas serve in production")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    material = ensure_development_certificate(settings.data_dir / "tls")
    embedded = embedded_database(settings) if settings.embedded_database else None
    with terminated_as_exit():
        _up(settings, material, embedded)


def _up(settings: Settings, material: TlsMaterial, embedded: EmbeddedDatabase | None) -> None:
    from adapters.postgres.migrate import upgrade
    from entrypoints.database import configured_endpoints

    try:
        if embedded is not None:
            click.echo(f"Starting embedded PostgreSQL in {embedded.cluster.root} ...")
            asyncio.run(embedded.start())
        endpoints = configured_endpoints(settings)
        if endpoints.owner is None:
            raise click.ClickException("ATLAS_DATABASE_OWNER_URL is needed to migrate")
        asyncio.run(upgrade(endpoints.owner))
        _print_banner(settings, material.ca_cert)
        _serve(
            settings,
            host=settings.host,
            port=settings.port,
            tls=(material.cert, material.key),
            with_worker=True,
        )
    finally:
        if embedded is not None:
            click.echo("Stopping embedded PostgreSQL ...")
            embedded.stop()


@main.command()
@click.option("--host", default=None, help="Interface to listen on (default: ATLAS_HOST).")
@click.option("--port", type=int, default=None, help="Port to listen on (default: ATLAS_PORT).")
@click.option("--tls/--no-tls", default=True, help="Terminate TLS here (off behind a TLS proxy).")
def serve(host: str | None, port: int | None, tls: bool) -> None:
    """Serve the API against the configured database (it must be running and migrated)."""
    from entrypoints.database import embedded_database

    settings = load()
    host = listening_host(host, settings)  # development: loopback unless exposed on purpose
    if settings.embedded_database and not embedded_database(settings).cluster.is_running():
        raise click.ClickException("the embedded database is not running: atlas db start")
    files = _tls_files(settings) if tls else None
    _serve(settings, host=host, port=port or settings.port, tls=files)


@main.command()
def migrate() -> None:
    """Apply database migrations as the schema owner."""
    from adapters.postgres.migrate import upgrade
    from entrypoints.database import configured_endpoints

    settings = load()
    with database_running(settings):
        owner = configured_endpoints(settings).owner
        if owner is None:
            raise click.ClickException("ATLAS_DATABASE_OWNER_URL is needed to migrate")
        asyncio.run(upgrade(owner))
    click.echo("Migrations applied.")


@main.command()
def check() -> None:
    """Verify the tenancy guarantees on the configured database, as the app role."""
    from adapters.postgres.tenancy_checks import run_checks
    from entrypoints.database import configured_endpoints

    settings = load()
    with database_running(settings):
        results = asyncio.run(run_checks(configured_endpoints(settings).app))
    for result in results:
        mark = click.style("PASS", fg="green") if result.passed else click.style("FAIL", fg="red")
        click.echo(f"{mark}  {result.name}" + (f"\n      {result.detail}" if result.detail else ""))
    failed = sum(not r.passed for r in results)
    click.echo(f"{len(results) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def _tls_files(settings: Settings) -> tuple[Path, Path]:
    from adapters.crypto.dev_tls import ensure_development_certificate

    if settings.tls_cert_file and settings.tls_key_file:
        return settings.tls_cert_file, settings.tls_key_file
    if settings.production:
        raise click.ClickException(
            "TLS needs ATLAS_TLS_CERT_FILE and ATLAS_TLS_KEY_FILE (or --no-tls behind a TLS proxy)"
        )
    material = ensure_development_certificate(settings.data_dir / "tls")
    return material.cert, material.key


def _serve(
    settings: Settings,
    *,
    host: str,
    port: int,
    tls: tuple[Path, Path] | None,
    with_worker: bool = False,
) -> None:
    from entrypoints.container import real_container
    from entrypoints.database import configured_endpoints
    from entrypoints.http.app import create_app
    from entrypoints.metrics_listener import metrics_served
    from entrypoints.server import serve as run_server

    container = real_container(settings, configured_endpoints(settings))
    app = create_app(container, with_worker=with_worker)
    metrics = container.adapters.metrics()
    try:
        with metrics_served(settings.metrics_address, metrics):
            asyncio.run(
                run_server(app, host=host, port=port, tls=tls, log_level=settings.log_level)
            )
    except KeyboardInterrupt:
        # uvicorn has shut down gracefully and re-raises the signal it caught: Ctrl-C is the
        # normal way to stop, not a failure.
        click.echo("Atlas stopped.")


def _metrics_url(settings: Settings) -> str:
    if settings.metrics_address is None:
        return "off (ATLAS_METRICS_ADDRESS)"
    host, port = settings.metrics_address
    return f"http://{host}:{port}/metrics  (for Prometheus; never on the public port)"


def _print_banner(settings: Settings, ca_cert: Path) -> None:
    base = f"https://{settings.host}:{settings.port}"
    database = "embedded PostgreSQL (atlas db url)" if settings.embedded_database else "configured"
    click.echo(
        "\n".join(
            [
                "",
                click.style("Atlas is starting (development)", bold=True),
                f"  App      {base}/  (open it in a browser: sign up, connect a tool)",
                f"  API      {base}/api/v1",
                f"  Docs     {base}/schema/swagger",
                f"  Feed     wss://{settings.host}:{settings.port}/api/v1/feed (try: atlas feed)",
                f"  Health   {base}/health   Ready {base}/ready",
                f"  Metrics  {_metrics_url(settings)}",
                f"  Database {database}",
                f"  TLS CA   {ca_cert}  (e.g. curl --cacert {ca_cert} {base}/health)",
                "  Worker   syncs connected tools here (atlas worker runs more)",
                "Press Ctrl-C to stop.",
                "",
            ]
        )
    )
