"""The fields Atlas keeps of Jira's records: everything else is never even decoded.

These structs are the connector's allow-list. An issue's ``summary``, ``description``,
``comment``, ``attachment`` or ``environment``, a user's ``displayName``: none appears here, so
no code path can store them (and the search asks for none of them: ``reader.FIELDS``).

A changelog item's ``fromString``/``toString`` hold the text itself when a summary or a
description was edited, so they stay raw bytes: only a status item's are ever decoded (the
status names a transition is named after).
"""

from __future__ import annotations

from datetime import datetime

import msgspec

_NONE = msgspec.Raw()


class User(msgspec.Struct, frozen=True):
    accountId: str  # noqa: N815 - Jira's field names, here and below
    emailAddress: str | None = None  # noqa: N815 - absent unless the person lets the app see it
    active: bool | None = None


class StatusCategory(msgspec.Struct, frozen=True):
    key: str | None = None  # new, indeterminate, done


class Status(msgspec.Struct, frozen=True):
    name: str
    id: str | None = None
    statusCategory: StatusCategory | None = None  # noqa: N815


class Named(msgspec.Struct, frozen=True):
    """An issue type or a priority: workflow vocabulary, not content."""

    name: str
    id: str | None = None


class Project(msgspec.Struct, frozen=True):
    id: str
    key: str | None = None


class Fields(msgspec.Struct, frozen=True):
    project: Project | None = None
    issuetype: Named | None = None
    status: Status | None = None
    priority: Named | None = None
    assignee: User | None = None
    reporter: User | None = None
    labels: list[str] = []
    created: datetime | None = None
    updated: datetime | None = None
    resolutiondate: datetime | None = None


class Item(msgspec.Struct, frozen=True):
    field: str
    fieldId: str | None = None  # noqa: N815
    from_: str | None = msgspec.field(name="from", default=None)  # ids: a status, an account
    to: str | None = None
    from_string: msgspec.Raw = msgspec.field(name="fromString", default=_NONE)
    to_string: msgspec.Raw = msgspec.field(name="toString", default=_NONE)

    @property
    def is_status(self) -> bool:
        return (self.fieldId or self.field) == "status"

    @property
    def is_assignee(self) -> bool:
        return (self.fieldId or self.field) == "assignee"

    def status_names(self) -> tuple[str | None, str | None]:
        """The statuses left and entered; never read for any other field."""
        if not self.is_status:
            return None, None
        return _text(self.from_string), _text(self.to_string)


class History(msgspec.Struct, frozen=True):
    id: str
    created: datetime
    author: User | None = None  # absent for anonymous changes and some automation
    items: list[Item] = []


class Changelog(msgspec.Struct, frozen=True):
    total: int = 0
    histories: list[History] = []


class Issue(msgspec.Struct, frozen=True):
    id: str
    key: str
    fields: Fields = Fields()
    changelog: Changelog | None = None


class SearchPage(msgspec.Struct, frozen=True):
    issues: list[Issue] = []
    nextPageToken: str | None = None  # noqa: N815 - the key is absent on the last page


class IssueId(msgspec.Struct, frozen=True):
    id: str


class IdPage(msgspec.Struct, frozen=True):
    issues: list[IssueId] = []
    nextPageToken: str | None = None  # noqa: N815


class ChangelogPage(msgspec.Struct, frozen=True):
    values: list[History] = []
    total: int = 0
    isLast: bool = True  # noqa: N815


class Myself(msgspec.Struct, frozen=True):
    accountId: str  # noqa: N815
    timeZone: str | None = None  # noqa: N815 - JQL dates are read in this zone


def _text(raw: msgspec.Raw) -> str | None:
    if not bytes(raw):
        return None
    try:
        value = msgspec.json.decode(raw, type=str | None)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    return value or None
