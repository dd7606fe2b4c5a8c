"""SOQL evaluated over sObject rows (``objects``): known fields, filters, order, rendering."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from adapters.sandbox.providers.salesforce.soql import Condition, Query, SoqlError

_COMMON = {"Id", "CreatedDate", "LastModifiedDate", "SystemModstamp", "IsDeleted"}
FIELDS: dict[str, set[str]] = {
    "Account": _COMMON | {"Name", "Website", "Industry", "OwnerId", "NumberOfEmployees"},
    "Contact": _COMMON
    | {"AccountId", "FirstName", "LastName", "Name", "Email", "Title", "OwnerId"},
    "User": _COMMON | {"Name", "Email", "Title", "IsActive", "TimeZoneSidKey", "Department"},
    "Opportunity": _COMMON
    | {"Name", "AccountId", "OwnerId", "StageName", "Amount", "CloseDate", "IsClosed", "IsWon"}
    | {"Probability"},
    "OpportunityHistory": _COMMON
    | {"OpportunityId", "StageName", "Amount", "CloseDate", "CreatedById", "Probability"},
    "Task": _COMMON
    | {"WhoId", "WhatId", "OwnerId", "ActivityDate", "Status", "Type", "TaskSubtype"}
    | {"Subject", "Description"},
    "Event": _COMMON
    | {"WhoId", "WhatId", "OwnerId", "StartDateTime", "EndDateTime", "Type", "Subject"}
    | {"Description", "ActivityDate"},
}


def run(
    query: Query, table: list[dict[str, Any]], *, include_deleted: bool
) -> list[dict[str, Any]]:
    known = FIELDS[query.sobject]
    for field in (*query.fields, *(c.field for c in query.where), *(f for f, _ in query.order)):
        if field not in known:
            raise SoqlError(
                "INVALID_FIELD", f"No such column '{field}' on entity '{query.sobject}'."
            )
    selected = [r for r in table if include_deleted or not r["IsDeleted"]]
    for condition in query.where:
        _check_types(condition, table[0] if table else {})
        selected = [r for r in selected if _holds(condition, r.get(condition.field))]
    for field, descending in reversed(query.order):
        # Salesforce sorts nulls first in ascending order.
        selected.sort(key=_nulls_first(field), reverse=descending)
    return selected[: query.limit] if query.limit is not None else selected


def render(
    row: dict[str, Any], fields: tuple[str, ...], sobject: str, version: str
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "attributes": {
            "type": sobject,
            "url": f"/services/data/{version}/sobjects/{sobject}/{row['Id']}",
        }
    }
    for field in fields:
        out[field] = formatted(row[field])
    return out


def _nulls_first(field: str) -> Callable[[dict[str, Any]], tuple[bool, Any]]:
    # Text sorts case-insensitively, as SOQL's ORDER BY does in English locales (by the
    # uppercase characters' codes): Ids too, so "…a…" and "…B…" sort a, B, not B, a.
    def key(row: dict[str, Any]) -> tuple[bool, Any]:
        value = row[field]
        return value is not None, value.upper() if isinstance(value, str) else value

    return key


def formatted(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _check_types(condition: Condition, sample: dict[str, Any]) -> None:
    if isinstance(sample.get(condition.field), datetime) and condition.quoted:
        raise SoqlError(
            "MALFORMED_QUERY",
            f"value of filter criterion for field '{condition.field}' must be of type dateTime "
            "and should not be enclosed in quotes",
        )


def _holds(condition: Condition, value: Any) -> bool:
    wanted = condition.value
    if (
        isinstance(value, datetime)
        and isinstance(wanted, date)
        and not isinstance(wanted, datetime)
    ):
        value = value.date()
    if condition.op == "IN":
        return bool(value in wanted)
    if condition.op in ("=", "!="):
        return bool((value == wanted) == (condition.op == "="))
    if value is None or wanted is None:
        return False
    if isinstance(value, str) and isinstance(wanted, str):  # in the ORDER BY's collation
        value, wanted = value.upper(), wanted.upper()
    try:
        return bool(
            {
                "<": value < wanted,
                "<=": value <= wanted,
                ">": value > wanted,
                ">=": value >= wanted,
            }[condition.op]
        )
    except TypeError:
        raise SoqlError(
            "INVALID_QUERY_FILTER_OPERATOR", f"invalid operator on {condition.field}"
        ) from None
