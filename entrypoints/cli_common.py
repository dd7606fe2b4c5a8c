"""What every CLI command shares: settings, logging, and the embedded database's lifetime."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

import click

from domain.shared.errors import DomainError
from entrypoints.database import configured_endpoints, embedded_database
from entrypoints.log_redaction import configure_logging
from entrypoints.settings import Settings, SettingsError, load_settings
from entrypoints.settings_listen import checked_host

if TYPE_CHECKING:
    from entrypoints.container import Application

T = TypeVar("T")


def load(environ: Mapping[str, str] | None = None) -> Settings:
    try:
        settings = load_settings(os.environ if environ is None else environ)
    except SettingsError as error:
        raise click.ClickException(f"configuration refused: {error}") from None
    configure_logging(settings.log_level, settings.log_format)  # secrets redacted, lines escaped
    if settings.database_allow_unverified_tls:
        click.secho("warning: database TLS is not verified (development only)", fg="yellow")
    return settings


def listening_host(host: str | None, settings: Settings) -> str:
    """A command's ``--host``, else ATLAS_HOST: held to the same rule (development listens on
    loopback unless ATLAS_EXPOSE_DEVELOPMENT=true), so a flag cannot open what settings closed."""
    if host is None:
        return settings.host
    try:
        return checked_host(
            host,
            production=settings.production,
            exposed=settings.expose_development,
            named="--host",
        )
    except SettingsError as error:
        raise click.ClickException(f"configuration refused: {error}") from None


@contextmanager
def terminated_as_exit() -> Iterator[None]:
    """SIGTERM (a process manager's stop, ``kill``) ends the command like Ctrl-C does: by an
    exception, so ``finally`` blocks run and the embedded database stops. Without it, the
    default action kills the process outright; uvicorn re-raises the signal after its own
    graceful shutdown, and the database was left running."""

    def leave(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, leave)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def database_running(settings: Settings) -> Iterator[None]:
    """Start the embedded database for the duration of a command if it is not running yet."""
    if not settings.embedded_database:
        yield
        return
    embedded = embedded_database(settings)
    was_running = embedded.cluster.is_running()
    asyncio.run(embedded.start())
    try:
        yield
    finally:
        if not was_running:
            embedded.stop()


def run_with_container(
    work: Callable[[Application], Awaitable[T]],
    *,
    prepare: Callable[[Application], None] | None = None,
) -> T:
    """Run ``work`` against the configured database with the adapters started, then stopped;
    a domain error becomes a plain message with its code."""
    # Imported here: commands that never build the container (atlas db, migrate) start faster.
    from entrypoints import container as composition
    from entrypoints.container import real_container

    settings = load()
    with database_running(settings):
        container = real_container(settings, configured_endpoints(settings))
        if prepare is not None:
            prepare(container)

        async def go() -> T:
            await composition.start(container)
            try:
                return await work(container)
            except DomainError as error:
                details = ", ".join(f"{k}={v}" for k, v in error.details.items())
                raise click.ClickException(f"{error.code}: {error.message} {details}") from None
            finally:
                await composition.stop(container)

        return asyncio.run(go())
