"""Answers made wrong on purpose, to show that each check can fail: a field renamed, a number
served as a string, an undocumented field in a closed envelope, a list where an object goes.
And the opposite: an extra property where the documentation says the object is open (a
record's property bag) must still pass.

Each case edits a copy of a real sandbox answer in place; one that does not apply to an
answer (the field is not in it: a last page has no ``nextRecordsUrl``) raises ``LookupError``
and the next answer is tried.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Edit = Callable[[Any], None]
SF_QUERY = ("salesforce", "GET", "/services/data/{}/query")
HS_SEARCH = ("hubspot", "POST", "/crm/v3/objects/deals/search")
ZD_EXPORT = ("zendesk", "GET", "/api/v2/incremental/tickets/cursor.json")
ZD_EVENTS = ("zendesk", "GET", "/api/v2/incremental/ticket_events.json")
JR_SEARCH = ("jira", "GET", "/ex/jira/{}/rest/api/3/search/jql")
JR_CHANGES = ("jira", "GET", "/ex/jira/{}/rest/api/3/issue/{}/changelog")


def rename(old: str, new: str, at: Callable[[Any], Any] = lambda b: b) -> Edit:
    def edit(body: Any) -> None:
        node = at(body)
        node[new] = node.pop(old)

    return edit


def as_text(field: str, at: Callable[[Any], Any] = lambda b: b) -> Edit:
    def edit(body: Any) -> None:
        node = at(body)
        node[field] = str(node[field])

    return edit


def add(field: str, value: Any, at: Callable[[Any], Any] = lambda b: b) -> Edit:
    def edit(body: Any) -> None:
        node = at(body)
        if not isinstance(node, dict):
            raise LookupError(field)
        node[field] = value

    return edit


def first_with(records: list[dict[str, Any]], field: str) -> dict[str, Any]:
    for record in records:
        if record.get(field) is not None:
            return record
    raise LookupError(field)


# (registry entry, edit): the edited answer must FAIL its schema.
FAILING: dict[str, list[tuple[tuple[str, str, str], Edit]]] = {
    "salesforce": [
        (SF_QUERY, rename("nextRecordsUrl", "nextRecordsURL")),
        (SF_QUERY, as_text("totalSize")),
        (SF_QUERY, add("nextPage", "/services/data/v62.0/query/x")),
        (SF_QUERY, rename("type", "sobjectType", lambda b: b["records"][0]["attributes"])),
        (SF_QUERY, as_text("Amount", lambda b: first_with(b["records"], "Amount"))),
    ],
    "hubspot": [
        (HS_SEARCH, rename("after", "cursor", lambda b: b["paging"]["next"])),
        (HS_SEARCH, as_text("total")),
        (HS_SEARCH, add("hasMore", True)),
        (HS_SEARCH, add("hs_object_id", 14, lambda b: b["results"][0]["properties"])),
    ],
    "zendesk": [
        (ZD_EXPORT, rename("after_cursor", "afterCursor")),
        (ZD_EXPORT, as_text("id", lambda b: b["tickets"][0])),
        (ZD_EXPORT, add("has_more", False)),
        (ZD_EVENTS, as_text("timestamp", lambda b: b["ticket_events"][0])),
    ],
    "jira": [
        (JR_SEARCH, rename("nextPageToken", "next_page_token")),
        (JR_SEARCH, as_text("total", lambda b: b["issues"][0]["changelog"])),
        (JR_SEARCH, add("total", 100)),
        (JR_CHANGES, as_text("startAt")),
        (JR_CHANGES, rename("isLast", "last")),
    ],
}
# (registry entry, edit): the edited answer must still PASS: the object is open by design.
PASSING: dict[str, list[tuple[tuple[str, str, str], Edit]]] = {
    "salesforce": [(SF_QUERY, add("Custom_Score__c", 7.5, lambda b: b["records"][0]))],
    "hubspot": [(HS_SEARCH, add("custom_tier", "gold", lambda b: b["results"][0]["properties"]))],
    "zendesk": [
        (ZD_EVENTS, add("priority", "high", lambda b: b["ticket_events"][0]["child_events"][0]))
    ],
    "jira": [(JR_SEARCH, add("customfield_10010", None, lambda b: b["issues"][0]["fields"]))],
}

# (status, edit) on a provider's error answer: must FAIL its error schema.
FAILING_ERRORS: dict[str, list[tuple[int, Edit]]] = {
    "salesforce": [
        (404, rename("errorCode", "error_code", lambda b: b[0])),
        (403, lambda b: b.clear()),
    ],
    "hubspot": [
        (404, rename("correlationId", "correlationID")),
        (404, add("correlationId", 7)),
        (429, rename("policyName", "policy")),
    ],
    "zendesk": [(404, add("code", 404)), (401, rename("error_description", "description"))],
    "jira": [
        (404, lambda b: b.update(errorMessages="Issue does not exist")),
        (401, add("code", "401")),
    ],
}
