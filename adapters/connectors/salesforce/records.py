"""The fields Atlas keeps of Salesforce's records: everything else is never even decoded.

These structs are the connector's allow-list, and the SOQL ``SELECT`` lists are derived from
them (``select_list``), so Atlas never even asks for a field it does not keep: a Task's or an
Event's ``Subject`` and ``Description``, a contact's title, a record's free-text fields do not
appear here. Field names are Salesforce's (``rename="pascal"``: ``stage_name`` is
``StageName``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic, TypeVar

import msgspec


class Record(msgspec.Struct, frozen=True, kw_only=True, rename="pascal"):
    """What every synced sObject has: its id and the modstamp the cursor follows."""

    id: str
    system_modstamp: datetime


class User(Record, frozen=True, kw_only=True, rename="pascal"):
    name: str | None = None
    email: str | None = None
    is_active: bool | None = None


class Account(Record, frozen=True, kw_only=True, rename="pascal"):
    name: str | None = None
    website: str | None = None
    owner_id: str | None = None
    created_date: datetime | None = None


class Contact(Record, frozen=True, kw_only=True, rename="pascal"):
    name: str | None = None
    email: str | None = None
    account_id: str | None = None
    owner_id: str | None = None
    created_date: datetime | None = None


class Opportunity(Record, frozen=True, kw_only=True, rename="pascal"):
    name: str | None = None
    stage_name: str | None = None
    amount: float | None = None
    close_date: date | None = None
    is_closed: bool | None = None
    is_won: bool | None = None
    owner_id: str | None = None
    account_id: str | None = None
    created_date: datetime | None = None


class OpportunityHistory(Record, frozen=True, kw_only=True, rename="pascal"):
    opportunity_id: str
    stage_name: str | None = None
    amount: float | None = None
    probability: float | None = None
    created_by_id: str | None = None
    created_date: datetime


class Task(Record, frozen=True, kw_only=True, rename="pascal"):
    who_id: str | None = None
    what_id: str | None = None
    owner_id: str | None = None
    activity_date: date | None = None
    status: str | None = None
    type: str | None = None
    task_subtype: str | None = None
    created_date: datetime


class Event(Record, frozen=True, kw_only=True, rename="pascal"):
    who_id: str | None = None
    what_id: str | None = None
    owner_id: str | None = None
    start_date_time: datetime | None = None
    end_date_time: datetime | None = None
    type: str | None = None
    created_date: datetime


class IdOnly(msgspec.Struct, frozen=True, kw_only=True, rename="pascal"):
    id: str


R = TypeVar("R")


class QueryPage(msgspec.Struct, Generic[R], frozen=True, kw_only=True, rename="camel"):
    """A ``query`` answer: ``done`` false means ``nextRecordsUrl`` holds the rest."""

    done: bool
    records: list[R]
    total_size: int = 0
    next_records_url: str | None = None


class DeletedRecord(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    id: str
    deleted_date: datetime


class DeletedPage(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """A getDeleted answer (``/sobjects/{Type}/deleted/``)."""

    deleted_records: list[DeletedRecord] = []
    earliest_date_available: datetime | None = None
    latest_date_covered: datetime | None = None


class ApiError(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """One entry of Salesforce's error list: only its code (a message may echo input)."""

    error_code: str = ""


def select_list(kind: type[msgspec.Struct]) -> tuple[str, ...]:
    """The SOQL field list of ``kind``: exactly the fields the struct keeps."""
    return tuple(f.encode_name for f in msgspec.structs.fields(kind))
