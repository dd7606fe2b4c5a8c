"""``atlas sandbox``: the provider sandbox (OAuth servers and APIs of six providers) on its own."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import click
import msgspec

from adapters.clock import SystemClock
from adapters.fakes.clock import FrozenClock
from adapters.sandbox.app import create_sandbox_app
from adapters.sandbox.config import PROVIDERS, development_client_id
from adapters.sandbox.control_key import CONTROL_HEADER, control_key_file
from adapters.sandbox.sandbox import Sandbox
from adapters.sandbox.seed.scale import ScaleError, parse_scale
from application.shared.ports import Clock
from entrypoints.cli_common import listening_host, load
from entrypoints.sandbox import development_config, listening_socket, sandbox_server


@click.group()
def sandbox() -> None:
    """The provider sandbox: Salesforce, HubSpot, Google, Slack, Zendesk and Jira, emulated."""


@sandbox.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=int, required=True, help="Port to listen on.")
@click.option("--seed", type=int, default=2026, show_default=True, help="Seed of the company data.")
@click.option(
    "--scale",
    default=None,
    callback=lambda _, __, value: _scale(value),  # refused before settings are read
    help="Size of the company: a number from 1 (the standard company) or 'large' "
    "(the benchmark's, >= 100,000 records); default: ATLAS_SANDBOX_SCALE, else 1.",
)
@click.option(
    "--callback",
    "callbacks",
    multiple=True,
    help="Atlas's redirect URI, with {provider} (repeatable; default: each ATLAS_APP_ORIGIN "
    "+ /api/v1/oauth/callback/{provider}).",
)
@click.option("--public-url", default=None, help="Base URL clients reach the sandbox at.")
@click.option("--control/--no-control", default=True,
              help="Mount the /_control API (key: <data dir>/sandbox/control.key).")  # fmt: skip
@click.option("--rate-limits/--no-rate-limits", default=True,
              help="Zendesk's 10 export requests a minute (off for benchmarks).")  # fmt: skip
@click.option("--clock-at", type=click.DateTime(), default=None,
              help="Freeze the sandbox's clock at this UTC time (it moves only through the "
              "control API): the same data for every sync of a test.")  # fmt: skip
def serve(
    *,
    host: str,
    port: int,
    seed: int,
    scale: float | None,
    callbacks: tuple[str, ...],
    public_url: str | None,
    control: bool,
    rate_limits: bool,
    clock_at: datetime | None,
) -> None:
    """Serve the sandbox over plain HTTP (meant for 127.0.0.1, tests and development)."""
    settings = load()
    if settings.production:
        raise click.ClickException("the provider sandbox never runs in production")
    host = listening_host(host, settings)  # loopback unless ATLAS_EXPOSE_DEVELOPMENT=true
    clock: Clock = FrozenClock(clock_at.replace(tzinfo=UTC)) if clock_at else SystemClock()
    config = development_config(
        settings,
        clock,
        seed=seed,
        scale=scale,
        callbacks=callbacks,
        public_base_url=public_url,
        control_api=control,
    )
    if not rate_limits:
        config = msgspec.structs.replace(config, zendesk_export_per_minute=None)
    app = create_sandbox_app(Sandbox(config, clock))
    sock = listening_socket(host, port)
    key = control_key_file(settings.data_dir) if control else None
    _banner(public_url or f"http://{host}:{port}", config.registrations[0].redirect_uris, key)
    try:
        server = sandbox_server(app, log_level=settings.log_level)
        asyncio.run(server.serve(sockets=[sock]))
    except KeyboardInterrupt:
        click.echo("Sandbox stopped.")


def _scale(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return parse_scale(value)
    except ScaleError as error:
        raise click.BadParameter(str(error)) from None


def _banner(base: str, redirects: tuple[str, ...], key: Path | None) -> None:
    click.echo(click.style("Provider sandbox", bold=True) + f" on {base}")
    for provider in PROVIDERS:
        click.echo(
            f"  {provider:<10} {base}/{provider}  client_id={development_client_id(provider)}"
        )
    click.echo("  client secret:  sandbox-<provider>-development-client-secret")
    click.echo(f"  redirect URIs:  {', '.join(redirects)} (per provider)")
    if key is not None:  # where the key is, never the key itself
        click.echo(f"  control API:    {base}/_control/stats  ({CONTROL_HEADER}: the key in {key})")
