"""A small JQL reader: ``field op value`` joined by AND, then ORDER BY; dates in the user's zone.

Jira reads date literals ("yyyy-MM-dd HH:mm", minute precision) in the time zone of the user
the token belongs to, so the same query means different instants for different users.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

_CLAUSE = re.compile(
    r"^\s*(?P<field>[A-Za-z]+)\s*(?P<op>>=|<=|!=|=|>|<|\bin\b)\s*"
    r'(?P<value>"[^"]*"|\([^)]*\)|[A-Za-z0-9_\-:/ .]+?)\s*$',
    re.IGNORECASE,
)
_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")
DATE_FIELDS = {"updated", "created", "resolved"}


class JqlError(ValueError):
    pass


@dataclass(frozen=True)
class Clause:
    field: str
    op: str
    value: object  # datetime for date fields, tuple for IN, str otherwise


@dataclass(frozen=True)
class Jql:
    clauses: tuple[Clause, ...]
    order: tuple[tuple[str, bool], ...]  # (field, descending)


def parse(text: str, zone: str) -> Jql:
    where, _, order_part = _split_order(text)
    clauses = tuple(
        _clause(part, zone)
        for part in re.split(r"\band\b", where, flags=re.IGNORECASE)
        if part.strip()
    )
    if re.search(r"\bor\b", where, re.IGNORECASE):
        raise JqlError("OR is not supported by the sandbox")
    order = tuple(_order(item) for item in order_part.split(",") if item.strip())
    return Jql(clauses, order)


def _split_order(text: str) -> tuple[str, str, str]:
    parts = re.split(r"\border\s+by\b", text, maxsplit=1, flags=re.IGNORECASE)
    return (parts[0], "", parts[1]) if len(parts) == 2 else (parts[0], "", "")


def _clause(part: str, zone: str) -> Clause:
    match = _CLAUSE.match(part)
    if match is None:
        raise JqlError(f"Error in the JQL Query: cannot read '{part.strip()}'")
    field, op, raw = (
        match.group("field").lower(),
        match.group("op").lower(),
        match.group("value").strip(),
    )
    if op == "in":
        values = tuple(v.strip().strip('"') for v in raw.strip("()").split(","))
        return Clause(field, "in", values)
    value = raw.strip('"')
    if field in DATE_FIELDS:
        return Clause(field, op, _date(value, zone))
    return Clause(field, op, value)


def _date(value: str, zone: str) -> datetime:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=ZoneInfo(zone))
        except ValueError:
            continue
    raise JqlError(
        f"Date value '{value}' for field 'updated' is invalid. Valid formats include: "
        "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd'"
    )


def _order(item: str) -> tuple[str, bool]:
    words = item.split()
    if not words or len(words) > 2:
        raise JqlError(f"Error in the JQL Query: bad ORDER BY '{item.strip()}'")
    descending = len(words) == 2 and words[1].lower() == "desc"
    return words[0].lower(), descending
