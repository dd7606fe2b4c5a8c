"""HubSpot CRM search: filter groups, one sort, ``after`` paging and the 10,000-result cap."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import msgspec

from adapters.sandbox.providers.hubspot.records import HubRecord, modified_property
from adapters.sandbox.providers.tables import SameTable

MAX_LIMIT = 200
CAP = 10_000


class SearchRefused(ValueError):
    """HubSpot answers these with 400 and category VALIDATION_ERROR."""


class Filter(msgspec.Struct, frozen=True, kw_only=True):
    propertyName: str  # noqa: N815 - HubSpot's field names
    operator: str
    value: Any = None
    highValue: Any = None  # noqa: N815
    values: list[Any] | None = None


class FilterGroup(msgspec.Struct, frozen=True, kw_only=True):
    filters: list[Filter] = []


class Sort(msgspec.Struct, frozen=True, kw_only=True):
    propertyName: str  # noqa: N815
    direction: str = "ASCENDING"


class SearchRequest(msgspec.Struct, frozen=True, kw_only=True):
    filterGroups: list[FilterGroup] = []  # noqa: N815
    sorts: list[Sort | str] = []
    properties: list[str] = []
    limit: int = 10
    after: str | int | None = None
    query: str | None = None


# A search's filters and sort as bytes: the key its ranked results are remembered under.
_ENCODE_QUERY = msgspec.json.Encoder().encode
_DECODE_QUERY = msgspec.json.Decoder(tuple[list[FilterGroup], list[Sort | str]]).decode


def search(
    object_type: str, table: tuple[HubRecord, ...], request: SearchRequest
) -> tuple[list[HubRecord], int, int | None]:
    """``(page, total, next after)``; raises SearchRefused for what HubSpot refuses."""
    _validate(request)
    start = int(request.after or 0)
    if start >= CAP:
        raise SearchRefused(f"Paging beyond {CAP} results is not supported. Refine the search.")
    query = _ENCODE_QUERY((request.filterGroups, request.sorts))
    matched = _ranked(SameTable(table), object_type, query)
    page = list(matched[start : start + request.limit])
    following = start + request.limit
    return page, len(matched), following if following < len(matched) else None


@lru_cache(maxsize=16)
def _ranked(table: SameTable, object_type: str, query: bytes) -> tuple[HubRecord, ...]:
    # Remembered per table and query: paging with ``after`` then costs O(page), not a filter
    # and sort of the whole table per page.
    groups, sorts = _DECODE_QUERY(query)
    matches = _matches(groups)
    matched = [r for r in table.table if matches(r)]
    prop, descending = _sort(object_type, sorts)
    matched.sort(key=lambda r: (*_rank(r.properties.get(prop)), int(r.id)), reverse=descending)
    return tuple(matched)


def by_id(table: tuple[HubRecord, ...]) -> Mapping[str, HubRecord]:
    """The table's records by id, built once per table (batch reads come a hundred at a time)."""
    return _by_id(SameTable(table))


@lru_cache(maxsize=16)
def _by_id(table: SameTable) -> Mapping[str, HubRecord]:
    return MappingProxyType({r.id: r for r in table.table})


def in_id_order(table: tuple[HubRecord, ...]) -> tuple[HubRecord, ...]:
    """The table as the list endpoint pages it, sorted once per table rather than per page."""
    return _in_id_order(SameTable(table))


@lru_cache(maxsize=16)
def _in_id_order(table: SameTable) -> tuple[HubRecord, ...]:
    return tuple(sorted(table.table, key=lambda r: int(r.id)))


def _validate(request: SearchRequest) -> None:
    if not 0 < request.limit <= MAX_LIMIT:
        raise SearchRefused(f"limit must be between 1 and {MAX_LIMIT}")
    if len(request.filterGroups) > 5 or any(len(g.filters) > 6 for g in request.filterGroups):
        raise SearchRefused("at most 5 filter groups of at most 6 filters")
    if len(request.sorts) > 1:
        raise SearchRefused("only one sort is allowed")
    if request.query is not None:
        raise SearchRefused("the sandbox does not emulate free-text search")


def _sort(object_type: str, sorts: list[Sort | str]) -> tuple[str, bool]:
    if not sorts:
        return "hs_object_id", False
    sort = sorts[0]
    if isinstance(sort, str):
        return sort.lstrip("-"), sort.startswith("-")
    return sort.propertyName, sort.direction.upper() == "DESCENDING"


def _matches(groups: list[FilterGroup]) -> Callable[[HubRecord], bool]:
    """A record matches when every filter of one group holds (filters read once per search)."""
    compiled = [[(f.propertyName, _test(f)) for f in g.filters] for g in groups]

    def matches(record: HubRecord) -> bool:  # plain loops: this runs per record per search
        props = record.properties
        for group in compiled:
            for name, test in group:
                if not test(props.get(name)):
                    break
            else:
                return True
        return not compiled

    return matches


def _test(f: Filter) -> Callable[[Any], bool]:
    op = f.operator.upper()
    if op in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
        return lambda actual: (actual is not None) == (op == "HAS_PROPERTY")
    if op in ("IN", "NOT_IN"):
        values = {_comparable(v) for v in f.values or []}
        return lambda actual: actual is not None and (_comparable(actual) in values) == (op == "IN")
    if op == "BETWEEN":
        low, high = _comparable(f.value), _comparable(f.highValue)
        return _guarded(f, lambda value: low <= value <= high)
    compare = _COMPARE.get(op)
    if compare is None:
        raise SearchRefused(f"operator {f.operator} cannot compare {f.propertyName}")
    wanted = _comparable(f.value)
    return _guarded(f, lambda value: compare(value, wanted))


def _guarded(f: Filter, holds: Callable[[Any], Any]) -> Callable[[Any], bool]:
    """An absent value only satisfies NEQ; values that do not compare are refused."""

    def test(actual: Any) -> bool:
        if actual is None:
            return f.operator.upper() == "NEQ"
        try:
            return bool(holds(_comparable(actual)))
        except TypeError:
            raise SearchRefused(f"operator {f.operator} cannot compare {f.propertyName}") from None

    return test


_COMPARE = {
    "EQ": operator.eq,
    "NEQ": operator.ne,
    "LT": operator.lt,
    "LTE": operator.le,
    "GT": operator.gt,
    "GTE": operator.ge,
}


def _rank(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    comparable = _comparable(value)
    return (1, comparable) if isinstance(comparable, int | float) else (2, comparable)


def _comparable(value: Any) -> Any:
    try:
        return _cached_comparable(value)
    except TypeError:  # an unhashable value (a list sent as a filter value)
        return _cached_comparable.__wrapped__(value)


@lru_cache(maxsize=1 << 17)  # values are immutable; a search compares each many times
def _cached_comparable(value: Any) -> Any:
    """Datetimes and numeric strings compare as numbers (ms for times), other text folded."""
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        return int(
            datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).timestamp() * 1000
        )
    except ValueError:
        return text.lower()


def render(object_type: str, record: HubRecord, properties: list[str]) -> dict[str, Any]:
    wanted = properties or _DEFAULTS.get(object_type, [])
    names = dict.fromkeys(["createdate", modified_property(object_type), "hs_object_id", *wanted])
    return {
        "id": record.id,
        "properties": {n: _text(record.properties.get(n)) for n in names if n in record.properties},
        "createdAt": iso(record.created),
        "updatedAt": iso(record.updated),
        "archived": False,
    }


def _text(value: Any) -> Any:
    return iso(value) if isinstance(value, datetime) else value


def iso(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


_DEFAULTS = {
    "contacts": ["email", "firstname", "lastname"],
    "companies": ["name", "domain"],
    "deals": ["dealname", "amount", "dealstage", "pipeline", "closedate"],
    "tickets": ["subject", "content", "hs_pipeline", "hs_pipeline_stage", "hs_ticket_priority"],
}
