"""Comparing a restore with its manifest, and which backups retention lets go."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.compliance.backup import TableCensus, compare, expired

pytestmark = pytest.mark.unit


def census(table: str, rows: int, checksum: str = "c") -> TableCensus:
    return TableCensus(table=table, rows=rows, checksum=checksum)


def test_equal_tables_have_no_differences() -> None:
    tables = [census("atlas.a", 3), census("atlas.b", 0)]

    assert compare(tables, list(reversed(tables))) == []


def test_every_kind_of_difference_is_named() -> None:
    expected = [census("atlas.rows", 3), census("atlas.sum", 3, "x"), census("atlas.gone", 1)]
    actual = [census("atlas.rows", 2), census("atlas.sum", 3, "y"), census("atlas.new", 0)]

    found = {
        (d.table, d.problem, d.expected_rows, d.actual_rows) for d in compare(expected, actual)
    }

    assert found == {
        ("atlas.rows", "rows", 3, 2),
        ("atlas.sum", "checksum", 3, 3),
        ("atlas.gone", "missing", 1, None),
        ("atlas.new", "unexpected", None, 0),
    }


NOW = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)


def test_retention_lets_go_of_backups_older_than_its_days() -> None:
    taken = [NOW - timedelta(days=d, hours=1) for d in range(10)]

    assert expired(taken, now=NOW, keep_days=7) == sorted(taken[7:])


def test_retention_always_keeps_the_newest_backup() -> None:
    old = [NOW - timedelta(days=30), NOW - timedelta(days=40)]

    assert expired(old, now=NOW, keep_days=7) == [NOW - timedelta(days=40)]
    assert expired([], now=NOW, keep_days=7) == []
