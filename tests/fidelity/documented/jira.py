"""Jira Cloud platform REST API v3 answers as documented: no machine-readable spec is kept here.

Sources (developer.atlassian.com/cloud/jira/platform/rest/v3), and providers.md 2.6:
- search: /api-group-issue-search/#api-rest-api-3-search-jql-get and -post
  ("SearchAndReconcileResults": ``issues``, ``nextPageToken`` absent on the last page,
  ``isLast``, ``names``, ``schema``)
- issue: /api-group-issues/#api-rest-api-3-issue-issueidorkey-get ("IssueBean": ``id``,
  ``key``, ``self``, ``expand``, ``fields`` (open: custom fields), ``changelog``
  "PageOfChangelogs": ``startAt``, ``maxResults``, ``total``, ``histories``)
- changelog: /api-group-issues/#api-rest-api-3-issue-issueidorkey-changelog-get
  ("PageBeanChangelog": ``self``, ``nextPage``, ``maxResults``, ``startAt``, ``total``,
  ``isLast``, ``values``; "Changelog": ``id``, ``author``, ``created``, ``items``,
  ``historyMetadata``; "ChangeDetails": ``field``, ``fieldtype``, ``fieldId``, ``from``,
  ``fromString``, ``to``, ``toString``, ``tmpFromAccountId``, ``tmpToAccountId``)
- myself: /api-group-myself/#api-rest-api-3-myself-get ("User": ``accountId``, ``timeZone``…)
- accessible resources: developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/
  (``[{id, url, name, scopes, avatarUrl}]``)
- errors: "ErrorCollection" (``errorMessages``, ``errors``, ``status``), every operation's
  4xx; the API gateway's own 401 (below) is not in the reference
"""

from __future__ import annotations

from tests.fidelity.documented.shapes import (
    ANY,
    BOOLEAN,
    INTEGER,
    STRING,
    Schema,
    array,
    closed,
    nullable,
    open_bag,
    untyped,
)

TIME: Schema = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(\+|-)\d{4}$",
}
NUMERIC_ID: Schema = {"type": "string", "pattern": "^[0-9]+$"}
TEXT = nullable(STRING)
USER = closed(
    {"accountId": STRING},
    {
        "emailAddress": STRING, "active": BOOLEAN, "timeZone": STRING, "accountType": STRING,
        "displayName": STRING, "self": STRING, "name": STRING, "key": STRING,
        "avatarUrls": open_bag({}, values=STRING), "locale": STRING,
    },
)  # fmt: skip
MYSELF = closed(
    {"accountId": STRING, "timeZone": STRING},
    {
        **USER["properties"],
        "groups": ANY, "applicationRoles": ANY, "expand": STRING,
    },
)  # fmt: skip
STATUS = closed(
    {"name": STRING},
    {
        "id": STRING, "self": STRING, "description": STRING, "iconUrl": STRING, "scope": ANY,
        "statusCategory": closed(
            {"key": {"enum": ["new", "indeterminate", "done", "undefined"]}},
            {"id": INTEGER, "name": STRING, "colorName": STRING, "self": STRING},
        ),
    },
)  # fmt: skip
NAMED = open_bag({"name": STRING}, {"id": STRING})  # issue type, priority: more per kind
PROJECT = open_bag({"id": NUMERIC_ID}, {"key": STRING})
# ``fields`` is open: a site's custom fields join the system ones. Those read are typed.
FIELDS = open_bag(
    {},
    {
        "status": STATUS, "issuetype": NAMED, "priority": nullable(NAMED), "project": PROJECT,
        "assignee": nullable(USER), "reporter": nullable(USER), "labels": array(STRING),
        "created": TIME, "updated": TIME, "resolutiondate": nullable(TIME),
    },
)  # fmt: skip
ITEM = closed(
    {"field": STRING, "fieldtype": STRING},
    {
        "fieldId": STRING, "from": TEXT, "fromString": TEXT, "to": TEXT, "toString": TEXT,
        "tmpFromAccountId": TEXT, "tmpToAccountId": TEXT,
    },
)  # fmt: skip
HISTORY = closed(
    {"id": NUMERIC_ID, "created": TIME, "items": array(ITEM)},
    {"author": USER, "historyMetadata": open_bag({})},
)
EMBEDDED_CHANGELOG = closed(
    {"startAt": INTEGER, "maxResults": INTEGER, "total": INTEGER, "histories": array(HISTORY)}
)
ISSUE = closed(
    {"id": NUMERIC_ID, "key": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*-[0-9]+$"}},
    {
        "self": STRING, "expand": STRING, "fields": FIELDS, "changelog": EMBEDDED_CHANGELOG,
        **untyped(
            "renderedFields names schema transitions operations editmeta "
            "versionedRepresentations fieldsToInclude properties"
        ),
    },
)  # fmt: skip
SEARCH: Schema = {
    **closed(
        {"issues": array(ISSUE)},
        {"nextPageToken": STRING, "isLast": BOOLEAN, "names": ANY, "schema": ANY},
    ),
    # More pages: the token is there; the last page: the key is absent, never null
    # (providers.md 2.6).
    "allOf": [
        {
            "if": {"properties": {"isLast": {"const": True}}, "required": ["isLast"]},
            "then": {"not": {"required": ["nextPageToken"]}},
        },
        {
            "if": {"properties": {"isLast": {"const": False}}, "required": ["isLast"]},
            "then": {"required": ["nextPageToken"]},
        },
    ],
}
CHANGELOG = closed(
    {
        "maxResults": INTEGER, "startAt": INTEGER, "total": INTEGER, "isLast": BOOLEAN,
        "values": array(HISTORY),
    },
    {"self": STRING, "nextPage": STRING},
)  # fmt: skip
RESOURCES = array(
    closed(
        {
            "id": {"type": "string", "pattern": "^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$"},
            "url": {"type": "string", "pattern": "^https://"},
            "name": STRING, "scopes": array(STRING),
        },
        {"avatarUrl": STRING},
    ),
    minItems=1,
)  # fmt: skip

_SITE = "/ex/jira/{}/rest/api/3"
SCHEMAS: dict[tuple[str, str, str], Schema] = {
    ("jira", "GET", "/oauth/token/accessible-resources"): RESOURCES,
    ("jira", "GET", _SITE + "/myself"): MYSELF,
    ("jira", "GET", _SITE + "/search/jql"): SEARCH,
    ("jira", "POST", _SITE + "/search/jql"): SEARCH,
    ("jira", "GET", _SITE + "/issue/{}/changelog"): CHANGELOG,
    ("jira", "GET", _SITE + "/issue/{}"): ISSUE,
}

# A 429 says when to come back and which limit it was (rate limiting page; providers.md 2.6).
HEADERS: dict[tuple[str, str, str] | int, tuple[str, ...]] = {
    429: ("retry-after", "ratelimit-reason"),
}

ERROR_COLLECTION = closed(
    {"errorMessages": array(STRING), "errors": open_bag({}, values=STRING)}, {"status": INTEGER}
)
# The one exception: a token the gateway in front of every site (api.atlassian.com) refuses
# is answered there, before Jira, as ``{"code": 401, "message": "Unauthorized…"}``. The REST
# reference gives no body for 401; this one is what Atlassian's community threads quote.
GATEWAY_401 = closed({"code": {"const": 401}, "message": STRING})
ERRORS: dict[int, Schema] = {
    400: ERROR_COLLECTION,
    401: GATEWAY_401,
    404: ERROR_COLLECTION,
    429: ERROR_COLLECTION,
}
