"""``atlas tenants purge-due``: purge now every tenant past its deletion grace (the worker
does the same daily)."""

from __future__ import annotations

from typing import Any

import click

from application.compliance.purge_tenants import PurgeTenants
from domain.compliance.tenant_deletion import PurgeReport
from entrypoints.cli_common import run_with_container
from entrypoints.cli_sync import remote_sandbox
from entrypoints.container import Application
from entrypoints.http.di import resolve


@click.group(name="tenants")
def tenants() -> None:
    """Tenants' lifecycle: deletion after its 30-day grace."""


@tenants.command("purge-due")
def purge_due() -> None:
    """Purge every tenant whose deletion grace has ended: grants given back at the providers,
    every row deleted, the record kept in tenant_deletions."""

    async def work(container: Application) -> list[PurgeReport]:
        use_cases: Any = container.use_cases.tenant_deletion
        purge: PurgeTenants = await resolve(use_cases.purge_tenants)
        return await purge.execute()

    reports = run_with_container(work, prepare=remote_sandbox)
    for report in reports:
        rows = sum(report.rows_removed.values())
        click.echo(f"Tenant {report.tenant_id} purged: {rows} row(s) removed.")
    click.echo(f"{len(reports)} tenant(s) purged.")
