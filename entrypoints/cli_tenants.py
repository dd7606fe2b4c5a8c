"""``atlas tenants``: an operator's view of the deployment's tenants (list), a new tenant with its
first owner without the HTTP API (create, then ``atlas import --tenant``), and ``purge-due``:
purge now every tenant past its deletion grace (the worker does the same daily)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from entrypoints.cli_common import run_with_container

if TYPE_CHECKING:
    from domain.compliance.tenant_deletion import PurgeReport
    from entrypoints.container import Application


@click.group(name="tenants")
def tenants() -> None:
    """Tenants' lifecycle: list, create, and deletion after its 30-day grace."""


@tenants.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array instead of a table.")
def list_command(as_json: bool) -> None:
    """Every tenant: id, name, region, created, members, status (read as the backup role)."""
    import msgspec  # imported when the command runs: start-up stays small

    from adapters.postgres.tenant_directory import TenantListing, list_tenants

    async def work(container: Application) -> list[TenantListing]:
        url = container.adapters.endpoints().backup
        if url is None:
            raise click.ClickException("listing tenants needs ATLAS_DATABASE_BACKUP_URL")
        return await list_tenants(url)

    listed = run_with_container(work)
    if as_json:
        click.echo(msgspec.json.encode(listed).decode())
        return
    click.echo(f"{'id':36}  {'created (UTC)':16}  {'members':>7}  {'status':16}  name")
    for row in listed:
        created = row.created_at.strftime("%Y-%m-%d %H:%M")
        click.echo(f"{row.id!s:36}  {created:16}  {row.members:7d}  {row.status:16}  {row.name}")
    click.echo(f"{len(listed)} tenant(s).")


@tenants.command("create")
@click.option("--name", required=True, help="The organisation's name.")
@click.option("--owner-email", required=True, help="Its first owner's email (signs in with it).")
@click.option("--owner-name", required=True, help="Its first owner's name.")
@click.option("--region", default=None, help="Data residency (default: the deployment's).")
# Prompted twice (or read from stdin, twice, when piped): never an argument, which other users
# of the machine could read from the process list.
@click.password_option("--owner-password", prompt="Owner's password", help="Prompted for.")
def create_command(
    name: str, owner_email: str, owner_name: str, region: str | None, owner_password: str
) -> None:
    """A new tenant with its first owner, exactly as sign-up makes them (the same rules, the
    audit trail's tenant.created, the email with the link that verifies the owner's address);
    prints the tenant's id."""
    from application.identity.sessions import Client, TokenPair
    from application.identity.sign_up import SignUpCommand
    from domain.shared.secret import Secret
    from entrypoints.http.di import resolve

    async def work(container: Application) -> TokenPair:
        identity: Any = container.use_cases.identity
        sign_up = await resolve(identity.sign_up)
        settings = container.settings()
        command = SignUpCommand(
            email=owner_email, password=Secret(owner_password), name=owner_name,
            organisation=name, region=region or settings.region,
        )  # fmt: skip
        # The session sign-up opens is never handed out: it expires unused.
        pair: TokenPair = await sign_up.execute(command, Client(user_agent="atlas tenants create"))
        return pair

    pair = run_with_container(work)
    click.echo(f"Tenant {pair.actor.tenant_id} created; owner {pair.actor.user_id}.")


@tenants.command("purge-due")
def purge_due() -> None:
    """Purge every tenant whose deletion grace has ended: grants given back at the providers,
    every row deleted, the record kept in tenant_deletions."""
    from application.compliance.purge_tenants import PurgeTenants
    from entrypoints.cli_sync import remote_sandbox
    from entrypoints.http.di import resolve

    async def work(container: Application) -> list[PurgeReport]:
        use_cases: Any = container.use_cases.tenant_deletion
        purge: PurgeTenants = await resolve(use_cases.purge_tenants)
        return await purge.execute()

    reports = run_with_container(work, prepare=remote_sandbox)
    for report in reports:
        rows = sum(report.rows_removed.values())
        click.echo(f"Tenant {report.tenant_id} purged: {rows} row(s) removed.")
    click.echo(f"{len(reports)} tenant(s) purged.")
