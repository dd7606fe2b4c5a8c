"""``atlas audit verify``: check every tenant's audit chain (or one) and name the first break."""

from __future__ import annotations

import asyncio
import sys
from uuid import UUID

import click

from adapters.postgres.audit_trail import PostgresAuditChains
from adapters.postgres.engine import create_engine, session_factory
from adapters.postgres.url import DatabaseUrl
from application.compliance.verify_audit import ChainReport, VerifyAuditTrail
from domain.shared.ids import TenantId
from entrypoints.cli_common import database_running, load
from entrypoints.database import configured_endpoints


@click.group()
def audit() -> None:
    """The tamper-evident audit trail."""


@audit.command()
@click.option("--tenant", type=click.UUID, default=None, help="Only this tenant's chain.")
def verify(tenant: UUID | None) -> None:
    """Recompute every link of every chain; exit 1 naming the first broken link of each."""
    settings = load()
    with database_running(settings):
        reports = asyncio.run(verify_chains(configured_endpoints(settings).app, tenant))
    broken = [r for r in reports if r.broken is not None]
    for report in reports:
        click.echo(describe(report))
    click.echo(
        f"{len(reports)} chain(s), {sum(r.verified for r in reports)} event(s) verified, "
        f"{len(broken)} broken"
    )
    sys.exit(1 if broken else 0)


async def verify_chains(url: DatabaseUrl, tenant: UUID | None) -> list[ChainReport]:
    """As the app role: ids of tenants from a definer census, each chain under its tenant."""
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        sut = VerifyAuditTrail(PostgresAuditChains(session_factory(engine)))
        return await sut.execute(TenantId(tenant) if tenant is not None else None)
    finally:
        await engine.dispose()


def describe(report: ChainReport) -> str:
    if report.broken is None:
        return f"ok      tenant {report.tenant_id}: {report.verified} event(s)"
    return (
        f"BROKEN  tenant {report.tenant_id} at seq {report.broken.seq}: {report.broken.reason} "
        f"({report.verified} event(s) verified before it)"
    )
