"""``atlas import`` and ``atlas process-map``: the graph's use cases for one tenant."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from uuid import UUID, uuid4

import click
import msgspec

from adapters.importers.files import LocalFile
from application.graph.importing import ImportOptions, ImportProgress, ImportSummary
from application.graph.process_map import ProcessMapView
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.graph.process_map import MapQuery, Window
from domain.identity.model import Role
from domain.shared.ids import TenantId, UserId
from entrypoints.cli_common import run_with_container
from entrypoints.cli_tables import print_map
from entrypoints.container import Application
from entrypoints.http.di import resolve

tenant_option = click.option("--tenant", required=True, type=click.UUID, help="The tenant's id.")
user_option = click.option(
    "--user", type=click.UUID, default=None, help="Act as this member (default: an owner)."
)


async def _actor(container: Application, tenant: UUID, user: UUID | None) -> Actor:
    uow_for = await resolve(container.adapters.identity_uow)
    async with uow_for(Scope(tenant_id=TenantId(tenant), user_id=None)) as uow:
        members = await uow.memberships.all()
    chosen = [m for m in members if (m.user_id == user if user else m.role is Role.OWNER)]
    if not chosen:
        raise click.ClickException("no such tenant, or no such member in it")
    return Actor(
        tenant_id=TenantId(tenant), user_id=UserId(chosen[0].user_id), role=chosen[0].role,
        session_id=uuid4(),
    )  # fmt: skip


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--object-type", default="case", show_default=True, help="XES: each trace's type.")
@tenant_option
@user_option
def import_log(file: Path, object_type: str, tenant: UUID, user: UUID | None) -> None:
    """Import an OCEL 2.0 JSON or XES (.xes, .xes.gz) file into a tenant's graph."""

    async def work(container: Application) -> ImportSummary:
        actor = await _actor(container, tenant, user)
        source = await LocalFile.of(file)
        use_case = await resolve(container.use_cases.import_log)
        with click.progressbar(length=source.size, label=f"Importing {file.name}") as bar:
            seen = 0

            def progress(state: ImportProgress) -> None:
                nonlocal seen
                bar.update(state.bytes_read - seen)
                seen = state.bytes_read

            return await use_case.execute(  # type: ignore[no-any-return]
                actor, source, ImportOptions(object_type=object_type), progress
            )

    summary = run_with_container(work)
    assert isinstance(summary, ImportSummary)  # noqa: S101
    written = summary.written
    click.echo(
        f"Imported {summary.events:,} events ({summary.format}) in {summary.seconds:.1f} s: "
        f"{written.inserted:,} new, {written.replaced:,} changed, {written.entities:,} entities, "
        f"{written.relationships:,} relationships; scope {summary.scope}"
    )


def _moment(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise click.BadParameter(f"{raw!r} is not an ISO 8601 time") from None


@click.command("process-map")
@click.option("--object-type", required=True, help="The object type to map.")
@click.option("--from", "start", default=None, help="Window start, ISO 8601 with a zone.")
@click.option("--to", "end", default=None, help="Window end (exclusive), ISO 8601 with a zone.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(0, 1000))
@click.option("--json", "as_json", is_flag=True, help="Print JSON shaped like the HTTP answer.")
@tenant_option
@user_option
def process_map(  # noqa: PLR0917 - one parameter per command-line option
    object_type: str, start: str | None, end: str | None, top: int, as_json: bool,
    tenant: UUID, user: UUID | None,
) -> None:  # fmt: skip
    """Print a tenant's process map for an object type."""

    async def work(container: Application) -> ProcessMapView:
        actor = await _actor(container, tenant, user)
        window = Window(start=_moment(start), end=_moment(end))
        use_case = await resolve(container.use_cases.get_process_map)
        query = MapQuery(object_type=object_type, window=window, top=top)
        return await use_case.execute(actor, query)  # type: ignore[no-any-return]

    view = run_with_container(work)
    assert isinstance(view, ProcessMapView)  # noqa: S101
    if as_json:
        click.echo(msgspec.json.encode(view).decode())
    else:
        print_map(view)
