"""``atlas keys rotate-jwt`` / ``retire-jwt`` / ``list-jwt``: the access-token signing keyring.

Rotation adds a key that starts signing after ``--delay`` (default 120 s): every API process
re-reads the keyring within 30 s, so all of them can verify the new key before any token is
signed with it. The old key keeps verifying until it is retired, which is safe once the
longest access-token lifetime plus leeway has passed since the rotation took effect.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click

from adapters.crypto.jwt_keyring import KeyringError, load_keyring, save_keyring
from entrypoints.cli_common import load
from entrypoints.identity_wiring import keyring_path


@click.command("rotate-jwt")
@click.option(
    "--delay",
    type=click.IntRange(0, 3600),
    default=120,
    show_default=True,
    help="Seconds before the new key starts signing (0: at once, for a single process).",
)
def rotate_jwt(delay: int) -> None:
    """Add a new signing key; older keys keep verifying until retired."""
    settings = load()
    path = keyring_path(settings)
    now = datetime.now(UTC)
    try:
        keyring, key = load_keyring(path, settings.identity.jwt_algorithm).with_new_key(
            now, timedelta(seconds=delay)
        )
    except KeyringError as error:
        raise click.ClickException(str(error)) from None
    save_keyring(path, keyring)
    click.echo(
        f"Added {keyring.algorithm} key {key.kid}; it signs from {key.activates_at:%H:%M:%S} UTC."
    )


@click.command("retire-jwt")
@click.argument("kid")
def retire_jwt(kid: str) -> None:
    """Retire a key: tokens it signed stop verifying. The signing key cannot be retired."""
    settings = load()
    path = keyring_path(settings)
    try:
        keyring = load_keyring(path, settings.identity.jwt_algorithm)
        save_keyring(path, keyring.retire(kid, datetime.now(UTC)))
    except KeyringError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Retired {kid}.")


@click.command("list-jwt")
def list_jwt() -> None:
    """Show each key's id, when it signs from, and whether it is retired."""
    settings = load()
    try:
        keyring = load_keyring(keyring_path(settings), settings.identity.jwt_algorithm)
    except KeyringError as error:
        raise click.ClickException(str(error)) from None
    signing = keyring.signing_key(datetime.now(UTC)).kid
    for key in keyring.keys:
        state = "retired" if key.retired_at else "signing" if key.kid == signing else "verifies"
        click.echo(f"{key.kid}  {state:<8}  from {key.activates_at.isoformat()}")


COMMANDS = (rotate_jwt, retire_jwt, list_jwt)
