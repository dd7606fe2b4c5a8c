"""``atlas keys``: signing keys for access tokens and the vault's sealing keys."""

from __future__ import annotations

import click

from entrypoints.cli_keys_jwt import COMMANDS as JWT_COMMANDS
from entrypoints.cli_keys_vault import VAULT_COMMANDS


@click.group()
def keys() -> None:
    """Rotate, inspect and retire Atlas's keys."""


# Access-token signing keys (identity), then the vault's key versions.
for _command in (*JWT_COMMANDS, *VAULT_COMMANDS):
    keys.add_command(_command)
