"""A backup's manifest (what the database held, table by table), how a restore is compared
with it, and which old backups retention lets go."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import msgspec

MANIFEST_FORMAT = 1


class TableCensus(msgspec.Struct, frozen=True, kw_only=True):
    """One table in one snapshot: its row count and a digest of its rows, order-independent."""

    table: str  # schema-qualified, as the catalog quotes it
    rows: int
    checksum: str  # hex sha256 over the sorted md5 of each row's canonical text


class Manifest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    format: int = MANIFEST_FORMAT
    taken_at: datetime
    database: str
    server_version: str
    schema_revision: str | None  # Alembic's, so a restore can tell which code fits it
    tables: tuple[TableCensus, ...]

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


class Difference(msgspec.Struct, frozen=True, kw_only=True):
    table: str
    problem: str  # "missing", "unexpected", "rows", "checksum"
    expected_rows: int | None
    actual_rows: int | None


def compare(expected: Sequence[TableCensus], actual: Sequence[TableCensus]) -> list[Difference]:
    """Every way the restored tables differ from the manifest; empty when they are equal."""
    wanted = {t.table: t for t in expected}
    found = {t.table: t for t in actual}
    differences = []
    for name in sorted(wanted.keys() | found.keys()):
        want, got = wanted.get(name), found.get(name)
        problem = _problem(want, got)
        if problem is not None:
            differences.append(
                Difference(
                    table=name,
                    problem=problem,
                    expected_rows=want.rows if want else None,
                    actual_rows=got.rows if got else None,
                )
            )
    return differences


def _problem(want: TableCensus | None, got: TableCensus | None) -> str | None:
    if got is None:
        return "missing"
    if want is None:
        return "unexpected"
    if want.rows != got.rows:
        return "rows"
    if want.checksum != got.checksum:
        return "checksum"
    return None


def expired(taken: Sequence[datetime], *, now: datetime, keep_days: int) -> list[datetime]:
    """The backups older than the retention, never the newest one: a machine that was off for
    longer than the retention still keeps its last good backup."""
    if not taken:
        return []
    newest = max(taken)
    cutoff = now - timedelta(days=keep_days)
    return sorted(t for t in taken if t < cutoff and t != newest)
