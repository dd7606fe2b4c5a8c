"""``atlas keys``: signing keys for access tokens and the vault's sealing keys."""

from __future__ import annotations

import click


@click.group()
def keys() -> None:
    """Rotate, inspect and retire Atlas's keys."""
