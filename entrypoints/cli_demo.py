"""``atlas demo``: sign up, connect all seven sandbox providers, sync, print the process maps."""

from __future__ import annotations

import asyncio
import logging
import ssl

import click
import httpx
import msgspec

from application.graph.process_map import ProcessMapView
from entrypoints import demo as flow
from entrypoints.cli_common import load
from entrypoints.cli_tables import print_map
from entrypoints.settings import Settings

MAPS = (("deal", "Deals"), ("ticket", "Tickets"), ("issue", "Jira issues"))


@click.command()
@click.option("--url", default=None, help="Where Atlas runs (default: ATLAS_PUBLIC_URL).")
def demo(url: str | None) -> None:
    """Against a running Atlas (make run) and its sandbox: a demo account, seven connections,
    their first sync, and the process maps of deals, tickets and Jira issues."""
    settings = load()
    if settings.production or not settings.sandbox:
        raise click.ClickException("the demo needs development with the provider sandbox")
    base = (url or settings.integrations.public_url).rstrip("/")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    try:
        asyncio.run(_demo(settings, base))
    except flow.DemoError as error:
        raise click.ClickException(str(error)) from None
    except httpx.HTTPError as error:
        raise click.ClickException(f"talking to Atlas at {base} failed: {error!r}") from None


async def _demo(settings: Settings, base: str) -> None:
    ca = settings.data_dir / "tls" / "ca.pem"
    verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=ca) if ca.exists() else True
    # A generous timeout: the server also runs the worker and the sandbox on a small machine.
    async with httpx.AsyncClient(base_url=base, verify=verify, timeout=300) as client:
        await _reachable(client, base)
        account = await flow.sign_up(client)
        await flow.verify_email(client, account)
        click.echo(click.style("Demo account", bold=True))
        click.echo(f"  email     {account.email}\n  password  {account.password}\n")
        click.echo(click.style("Connecting (OAuth consent at the sandbox)", bold=True))
        connections = {}
        for provider in flow.providers():
            connections[provider] = await flow.connect(client, account, provider)
            click.echo(f"  {provider:<16} connected  {connections[provider]}")
        click.echo(click.style("\nFirst sync (the worker beside the server runs it)", bold=True))
        await flow.sync_all(client, account, connections, click.echo)
        for object_type, title in MAPS:
            view = await flow.process_map(client, account, object_type)
            click.echo(click.style(f"\n== {title} ==", bold=True))
            print_map(msgspec.convert(view, ProcessMapView, strict=False))
        _next(base, account)


async def _reachable(client: httpx.AsyncClient, base: str) -> None:
    try:
        ready = await client.get("/ready")
    except httpx.HTTPError:
        ready = None
    if ready is None or ready.status_code != 200:
        raise flow.DemoError(f"Atlas is not running at {base}: start it with `make run` first")


def _next(base: str, account: flow.DemoAccount) -> None:
    click.echo(click.style("What to open next", bold=True))
    for line in (
        f"  The app           {base}/maps?type=deal (sign in with the demo account)",
        f"  API docs          {base}/schema/swagger (sign in with the demo account)",
        f"  Connections       GET {base}/api/v1/connections (schedule and latest run each)",
        f"  Sync runs         GET {base}/api/v1/sync-runs",
        f"  A process map     GET {base}/api/v1/graph/process-map?object_type=deal",
        f"  Variants          GET {base}/api/v1/graph/variants?object_type=ticket (and handoffs)",
        f"  People, companies GET {base}/api/v1/graph/entities?type=person",
        "  In a terminal     atlas sync status; atlas process-map --object-type ticket "
        f"--tenant {account.tokens.get('tenant_id')}",
        f"  Sign in again     POST {base}/api/v1/auth/login as {account.email}",
        f"  Live events       atlas feed --email {account.email} --after 0 (the password above)",
    ):
        click.echo(line)
