"""What every CLI command shares: settings, logging, and the embedded database's lifetime."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager

import click

from entrypoints.database import embedded_database
from entrypoints.log_redaction import configure_logging
from entrypoints.settings import Settings, SettingsError, load_settings


def load() -> Settings:
    try:
        settings = load_settings(os.environ)
    except SettingsError as error:
        raise click.ClickException(f"configuration refused: {error}") from None
    configure_logging(settings.log_level)  # with secrets redacted from every record
    if settings.database_allow_unverified_tls:
        click.secho("warning: database TLS is not verified (development only)", fg="yellow")
    return settings


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
