"""Jira originals: the issue with its changelog (``/issue/{id}?expand=changelog``).

An issue's creation and each of its status or assignee changes are read as the issue with its
changelog: a changelog entry has no endpoint of its own, and the issue is its nearest record
(the entry is ``changelog.histories[]`` with the activity's history id). People are left out:
their profile is not a record the connector reads beyond the account id.
"""

from __future__ import annotations

from adapters.connectors.api import ApiResponse, ProviderApi
from adapters.connectors.originals import found, kind_of, no_original
from application.graph.original_ports import RecordReference
from domain.integrations.connection import Connection


async def read_one(
    api: ProviderApi, connection: Connection, record: RecordReference
) -> ApiResponse:
    kind, rest = kind_of(record)
    if kind in ("issue", "created"):
        issue = rest
    elif kind == "history":  # history:<history id>:<field>, linked to its issue
        issue = record.links.get("issue", "").removeprefix("issue:")
    else:
        raise no_original()
    if not issue.isdigit():
        raise no_original()
    api_root = f"{(await api.base()).rstrip('/')}/rest/api/3"
    url = f"{api_root}/issue/{issue}"
    return found(await api.get(url, params={"expand": "changelog"}, expect=(404,)))
