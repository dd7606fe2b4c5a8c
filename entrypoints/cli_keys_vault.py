"""``atlas keys rotate | reencrypt | retire | status``: the vault's key versions."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from application.vault.key_status import KeyVersionStatus
from application.vault.reencrypt import DEFAULT_BATCH, ReencryptionReport
from domain.shared.errors import DomainError
from domain.vault.model import KeyState, SealedKind
from entrypoints.cli_common import database_running, load
from entrypoints.container import Application, real_container, start, stop
from entrypoints.database import configured_endpoints

T = TypeVar("T")


def _run(work: Callable[[Application], Awaitable[T]]) -> T:
    """Run ``work`` against the configured database with the vault started (keys derived)."""
    settings = load()

    async def run() -> T:
        container = real_container(settings, configured_endpoints(settings))
        try:
            await start(container)
            return await work(container)
        finally:
            await stop(container)

    with database_running(settings):
        try:
            return asyncio.run(run())
        except DomainError as error:
            raise click.ClickException(_explain(error)) from None


def _explain(error: DomainError) -> str:
    details = ", ".join(f"{k}={v}" for k, v in error.details.items())
    return f"{error.message}" + (f" ({details})" if details else "")


async def _built(provider: Any, **kwargs: Any) -> Any:
    built = provider(**kwargs)
    return await built if inspect.isawaitable(built) else built


@click.command()
@click.option(
    "--iterations",
    type=click.IntRange(min=65_536),
    default=None,
    help="PBKDF2 iterations for the new version (default 600,000).",
)
def rotate(iterations: int | None) -> None:
    """Add a key version that seals from now on; older versions stay readable."""

    async def work(container: Application) -> Any:
        return await (await _built(container.use_cases.rotate_vault_key)).execute(
            iterations=iterations
        )

    version = _run(work)
    click.echo(
        f"Key version {version.version} now seals ({version.iterations:,} PBKDF2 iterations). "
        "Older versions stay readable: run atlas keys reencrypt, then atlas keys retire."
    )


@click.command()
@click.option("--batch-size", type=click.IntRange(min=1, max=10_000), default=DEFAULT_BATCH)
def reencrypt(batch_size: int) -> None:
    """Re-seal every stored value under the current version (resumable; safe to re-run)."""

    async def work(container: Application) -> ReencryptionReport:
        job = await _built(container.use_cases.reencrypt_sealed_values, batch_size=batch_size)
        with click.progressbar(length=await job.pending(), label="Re-encrypting") as bar:
            report: ReencryptionReport = await job.execute(progress=bar.update)
        return report

    report = _run(work)
    click.echo(f"Re-sealed {report.resealed:,} rows under the current key version.")
    if report.unreadable:
        click.echo(
            f"{report.unreadable:,} rows do not open (tampered or moved); they keep their old "
            "version and block its retirement until they are deleted or stored again."
        )
        raise SystemExit(1)
    if report.remaining:
        click.echo(
            f"{report.remaining:,} rows were written under an old version meanwhile; run it again."
        )
        raise SystemExit(1)


@click.command()
@click.argument("version", type=click.IntRange(min=1))
def retire(version: int) -> None:
    """Retire a key version; refused while any stored value still uses it."""

    async def work(container: Application) -> Any:
        return await (await _built(container.use_cases.retire_vault_key)).execute(version)

    _run(work)
    click.echo(f"Key version {version} is retired: it opens nothing any more.")


@click.command()
def status() -> None:
    """Key versions, their states and encryption counts, and what still uses each."""

    async def work(container: Application) -> list[KeyVersionStatus]:
        rows: list[KeyVersionStatus] = await (
            await _built(container.use_cases.show_vault_keys)
        ).execute()
        return rows

    rows = _run(work)
    click.echo(f"{'version':>7}  {'state':<12} {'iterations':>10} {'encryptions':>13}  in use by")
    for row in rows:
        v = row.version
        mark = "*" if v.state is KeyState.ACTIVE else " "
        click.echo(
            f"{v.version:>6}{mark}  {v.state.value:<12} {v.iterations:>10,} "
            f"{v.encryption_count:>13,}  {_usage(row)}"
        )


def _usage(row: KeyVersionStatus) -> str:
    parts = []
    for kind, unit in ((SealedKind.API_KEYS, "tenants"), (SealedKind.OAUTH_TOKENS, "users")):
        scopes = [s for s in row.usage if s.kind is kind]
        if scopes:
            count = sum(s.values for s in scopes)
            parts.append(f"{kind.value}: {count:,} in {len(scopes):,} {unit}")
    return "; ".join(parts) or "-"


VAULT_COMMANDS = (rotate, reencrypt, retire, status)
