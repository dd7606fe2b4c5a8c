"""``atlas keys``: signing keys for access tokens and the vault's sealing keys."""

from __future__ import annotations

import click

from entrypoints.cli_keys_jwt import COMMANDS as JWT_COMMANDS


@click.group()
def keys() -> None:
    """Rotate, inspect and retire Atlas's keys."""


# Access-token signing keys (identity).
for _command in JWT_COMMANDS:
    keys.add_command(_command)
