"""``atlas worker`` and ``atlas sync``: run sync jobs, sync a connection now, see the syncs."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import click
import uvloop
from dependency_injector import providers

from application.shared.scope import Scope
from application.sync.queries import ConnectionSync
from domain.sync.run import RunTrigger
from entrypoints.cli_common import database_running, load, run_with_container
from entrypoints.container import Application, real_container
from entrypoints.database import configured_endpoints
from entrypoints.http.di import resolve
from entrypoints.metrics_listener import metrics_served
from entrypoints.worker import run_alone


@click.command()
@click.option("--concurrency", type=click.IntRange(1, 64), default=None,
              help="Sync jobs run at once (default: ATLAS_WORKER_CONCURRENCY).")  # fmt: skip
def worker(concurrency: int | None) -> None:
    """Run sync jobs until SIGTERM or Ctrl-C (then commit the page in hand and stop)."""
    settings = load()
    with database_running(settings):
        container = real_container(settings, configured_endpoints(settings))
        remote_sandbox(container)
        click.echo("Atlas worker starting; Ctrl-C (or SIGTERM) stops it after the page in hand.")
        # uvloop (already here with PgQueuer): a sync worker is mostly provider calls and
        # database round trips, and the loop and its sockets cost it far less CPU than asyncio's.
        metrics = container.adapters.metrics()
        with (
            metrics_served(settings.metrics_address, metrics),
            asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner,
        ):
            runner.run(run_alone(container, concurrency=concurrency, ready=click.echo))
    click.echo("Atlas worker stopped.")


def remote_sandbox(container: Application) -> None:
    # A worker process of its own reaches the sandbox where the server mounts it.
    integrations: Any = container.adapters.integrations
    integrations.sandbox_in_process.override(providers.Object(False))


class _SyncCommands(click.Group):
    """``atlas sync CONNECTION_ID`` runs a sync; ``atlas sync status`` reports."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            return "now", self.commands["now"], args
        return super().resolve_command(ctx, args)


@click.group(cls=_SyncCommands, name="sync")
def sync() -> None:
    """Sync a connection now (atlas sync CONNECTION_ID), or see how syncs stand."""


@sync.command("now", hidden=True)
@click.argument("connection_id", type=click.UUID)
def sync_now(connection_id: UUID) -> None:
    """Queue a sync of one connection now (a worker runs it)."""

    async def work(container: Application) -> Any:
        use_cases: Any = container.use_cases.sync
        census = await resolve(container.adapters.sync_census)
        owners = await census.scopes(connection_id)
        if not owners:
            raise click.ClickException("no such connection")
        owner = owners[0]
        scope = Scope(tenant_id=owner.tenant_id, user_id=owner.user_id)
        request = await resolve(use_cases.request_sync)
        return await request.execute(scope, connection_id, RunTrigger.MANUAL)

    requested = run_with_container(work)
    verb = "queued" if requested.created else "already " + requested.run.status.value
    click.echo(f"Sync run {requested.run.id} {verb}; a worker runs it (atlas up runs one).")


@sync.command("status")
@click.argument("connection_id", type=click.UUID, required=False)
def status(connection_id: UUID | None) -> None:
    """Every connection's sync: its state, latest run and next run."""

    async def work(container: Application) -> list[ConnectionSync]:
        use_case = await resolve(container.use_cases.sync.sync_status)  # type: ignore[attr-defined]
        found: list[ConnectionSync] = await use_case.execute(connection_id)
        return found

    rows = run_with_container(work)
    if not rows:
        click.echo("No connections.")
        return
    now = datetime.now(UTC)
    header = ("connection", "provider", "status", "last run", "new", "changed", "deleted", "next")
    lines = [header, *(_row(s, now) for s in rows)]
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    for line in lines:
        click.echo("  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())


def _row(sync: ConnectionSync, now: datetime) -> tuple[str, ...]:
    run, schedule, connection = sync.latest_run, sync.schedule, sync.connection
    last = "never"
    if run is not None:
        when = run.finished_at or run.started_at or run.requested_at
        last = f"{run.status.value} {_ago(now, when)}" + (f" ({run.error})" if run.error else "")
    totals = run.totals if run is not None else None
    upcoming = "paused" if not connection.usable else "due now"
    if connection.usable and schedule is not None and schedule.next_run_at is not None:
        upcoming = _ago(now, schedule.next_run_at)
    return (
        str(connection.id),
        connection.provider,
        connection.status.value,
        last,
        str(totals.new if totals else 0),
        str(totals.changed if totals else 0),
        str(totals.deleted if totals else 0),
        upcoming,
    )


def _ago(now: datetime, when: datetime) -> str:
    seconds = int((now - when).total_seconds())
    if seconds < 0:
        return f"in {-seconds}s" if seconds > -120 else f"in {-seconds // 60}m"
    return f"{seconds}s ago" if seconds < 120 else f"{seconds // 60}m ago"
