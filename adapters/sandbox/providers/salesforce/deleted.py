"""sObject Get Deleted: the ids deleted within a timespan, from the org's delete log.

``GET /services/data/vXX.X/sobjects/{Type}/deleted/?start=&end=`` answers ``deletedRecords``
(``id``, ``deletedDate``: the record's ``SystemModstamp``), ``earliestDateAvailable`` and
``latestDateCovered``, as Salesforce documents it: the seconds of ``start`` and ``end`` are
ignored, ``start`` must precede ``end`` by more than a minute, and nothing older than 15 days
before the day of the call is kept (an older ``start`` is ``INVALID_REPLICATION_DATE``: the
client must compare ids instead).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.sandbox.mutations import Mutations
from adapters.sandbox.providers.salesforce import objects
from adapters.sandbox.providers.salesforce.records import formatted
from adapters.sandbox.seed.dataset import Dataset

RETENTION = timedelta(days=15)


class DeletedRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


def deleted(
    dataset: Dataset,
    mutations: Mutations,
    sobject: str,
    params: dict[str, str],
    now: datetime,
) -> dict[str, Any]:
    """The body of a getDeleted answer; raises ``DeletedRefused`` as Salesforce refuses."""
    if sobject not in objects.SOBJECTS:
        raise DeletedRefused(404, "NOT_FOUND", "The requested resource does not exist")
    start, end = _moment(params, "start"), _moment(params, "end")
    if end - start <= timedelta(minutes=1):
        raise DeletedRefused(
            400, "INVALID_REPLICATION_DATE", "start must precede end by more than one minute"
        )
    earliest = now.replace(hour=0, minute=0, second=0, microsecond=0) - RETENTION
    if start < earliest:
        raise DeletedRefused(
            400, "INVALID_REPLICATION_DATE", "start is before the earliest date available"
        )
    covered = min(end, _minute(now))
    found = [
        row
        for row in objects.rows(dataset, sobject, now, mutations)
        if row["IsDeleted"] and start <= row["SystemModstamp"] < covered
    ]
    found.sort(key=lambda row: (row["SystemModstamp"], row["Id"]))
    return {
        "deletedRecords": [
            {"id": row["Id"], "deletedDate": formatted(row["SystemModstamp"])} for row in found
        ],
        "earliestDateAvailable": formatted(earliest),
        "latestDateCovered": formatted(covered),
    }


def _moment(params: dict[str, str], name: str) -> datetime:
    raw = params.get(name, "").strip()
    if not raw:
        raise DeletedRefused(400, "MISSING_ARGUMENT", f"{name} is required")
    value = raw.replace("Z", "+00:00").replace(" ", "+")  # a '+' sent unencoded reads as ' '
    if len(value) > 5 and value[-5] in "+-" and value[-3] != ":":
        value = value[:-2] + ":" + value[-2:]  # +0000 -> +00:00
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise DeletedRefused(400, "INVALID_REPLICATION_DATE", f"{name} is not a date") from None
    if moment.tzinfo is None:
        raise DeletedRefused(400, "INVALID_REPLICATION_DATE", f"{name} needs a time zone")
    return _minute(moment.astimezone(UTC))


def _minute(moment: datetime) -> datetime:
    # Salesforce ignores the seconds of the timespan's ends.
    return moment.replace(second=0, microsecond=0)
