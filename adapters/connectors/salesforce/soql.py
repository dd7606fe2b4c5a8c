"""The SOQL Atlas sends: an incremental window per object, and an id listing for reconciling.

Datetime literals are unquoted ISO-8601 UTC (a quoted one is refused as ``MALFORMED_QUERY``)
and carry whole seconds: a lower bound is floored, so at worst a few records of the boundary
second are read again and dropped by the cursor's tie-break, never skipped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

ID_PAGE: Final = 2000


def literal(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def window(sobject: str, fields: tuple[str, ...], lo: datetime, hi: datetime) -> str:
    """Records modified in ``[lo, hi)``, in the order the cursor follows: ``(stamp, Id)``."""
    # Names come from the allow-list structs, bounds are formatted datetimes: nothing quoted.
    return (
        f"SELECT {', '.join(fields)} FROM {sobject} "  # noqa: S608
        f"WHERE SystemModstamp >= {literal(lo)} AND SystemModstamp < {literal(hi)} "
        "ORDER BY SystemModstamp, Id"
    )


def ids_after(sobject: str, after: str | None) -> str:
    """The next page of live ids, keyset-paged by id (no query locator that could expire).

    Asked of ``queryAll``, hence ``IsDeleted = false``: ``query`` leaves out
    archived activities, which are still at Salesforce."""
    if after is not None and not (after.isascii() and after.isalnum()):
        raise ValueError("a Salesforce id is alphanumeric")  # never quote anything else
    where = ["IsDeleted = false", *([f"Id > '{after}'"] if after else [])]
    return f"SELECT Id FROM {sobject} WHERE {' AND '.join(where)} ORDER BY Id LIMIT {ID_PAGE}"  # noqa: S608
