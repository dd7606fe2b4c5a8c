"""Every provider endpoint a connector calls, and the narrowest scope that allows each call.

This table is where the catalog's requested scopes come from (``providers.py`` derives them):
a scope no called endpoint needs is not asked for. Paths are the provider's own, below its host
(and below ``/ex/jira/{cloudid}`` for Jira, ``/{subdomain}`` hosts for Zendesk); ``{}`` stands
for one path segment. The scope of each Gmail, Calendar and Slack entry is checked against the
provider's published specification in ``reference/specs`` by a test; the others name their
documentation in ``source``. A test also records every call the connectors make against the
sandbox and fails on one that is not in this table.
"""

from __future__ import annotations

import re
from functools import cache

import msgspec

_GMAIL_SPEC = "Gmail API v1 discovery document (reference/specs/google/gmail.v1.json)"
_CALENDAR_SPEC = "Calendar API v3 discovery document (reference/specs/google/calendar.v3.json)"
_SLACK_SPEC = "Slack Web API OpenAPI 2.0 (reference/specs/slack/slack_web_openapi_v2…json)"
_SALESFORCE_DOC = "developer.salesforce.com: OAuth tokens and scopes (api covers the REST API)"
_HUBSPOT_DOC = "developers.hubspot.com: CRM API scopes (crm.objects.<type>.read per object)"
_ZENDESK_DOC = "developer.zendesk.com: OAuth scopes (read: every GET endpoint)"
_JIRA_DOC = "developer.atlassian.com: Jira REST v3 operation scopes (classic)"
_GRANT = "The provider's OAuth server: the grant itself, no API scope"


class Endpoint(msgspec.Struct, frozen=True, kw_only=True):
    provider: str  # the catalog key
    method: str
    path: str  # the provider's path; {} is one segment
    operation: str  # the provider's name for it (the spec's method id where there is a spec)
    scopes: tuple[str, ...]  # all needed for this call; () for the OAuth server's own
    reads: str  # what Atlas reads with it, in plain words
    source: str

    def matches(self, method: str, path: str) -> bool:
        return method == self.method and _pattern(self.path).fullmatch(path) is not None


class ExtraScope(msgspec.Struct, frozen=True, kw_only=True):
    """A scope no call needs by itself: the grant's (a refresh token, HubSpot's app scope), or
    a field's (Slack's email addresses, without which members cannot be matched across tools)."""

    provider: str
    scope: str
    reads: str
    source: str


@cache
def _pattern(path: str) -> re.Pattern[str]:
    return re.compile("[^/]+".join(re.escape(part) for part in path.split("{}")))


def _e(provider: str, method: str, path: str, operation: str, scopes: tuple[str, ...],  # noqa: PLR0917 (a row of the table below)
       reads: str, source: str) -> Endpoint:  # fmt: skip
    return Endpoint(provider=provider, method=method, path=path, operation=operation,
                    scopes=scopes, reads=reads, source=source)  # fmt: skip


_G = "https://www.googleapis.com/auth/"
GMAIL_METADATA = _G + "gmail.metadata"
CALENDAR_EVENTS_READONLY = _G + "calendar.events.readonly"
_SF, _HS, _ZD, _JR = "salesforce", "hubspot", "zendesk", "jira"


def _hubspot(kind: str) -> tuple[Endpoint, ...]:
    scope = (f"crm.objects.{kind}.read",)
    base, reads = f"/crm/v3/objects/{kind}", f"{kind}: ids, stages, owners, dates and links"
    return (
        _e(_HS, "GET", base, f"{kind}: list", scope, reads, _HUBSPOT_DOC),
        _e(_HS, "GET", base + "/{}", f"{kind}: read", scope, reads, _HUBSPOT_DOC),
        _e(_HS, "POST", base + "/search", f"{kind}: search", scope, reads, _HUBSPOT_DOC),
        _e(_HS, "POST", base + "/batch/read", f"{kind}: batch read", scope, reads, _HUBSPOT_DOC),
    )


def _hubspot_links(source: str, kind: str) -> tuple[Endpoint, ...]:
    scopes = (f"crm.objects.{source}.read", f"crm.objects.{kind}.read")
    reads = f"which {kind} each of the {source} is linked to"
    return (
        _e(_HS, "POST", f"/crm/v4/associations/{source}/{kind}/batch/read",
           f"associations {source} → {kind}: batch read", scopes, reads, _HUBSPOT_DOC),
        # A row with more than 500 links pages on by the record's own association list.
        _e(_HS, "GET", f"/crm/v4/objects/{source}/{{}}/associations/{kind}",
           f"associations {source} → {kind}: list", scopes, reads, _HUBSPOT_DOC),
    )  # fmt: skip


# fmt: off
ENDPOINTS: tuple[Endpoint, ...] = (
    # Salesforce: no read-only scope exists; api is the narrowest that reads the REST API.
    _e(_SF, "GET", "/services/data/{}", "resources by version", ("api",),
       "the API's daily allowance (to stay within it)", _SALESFORCE_DOC),
    _e(_SF, "GET", "/services/data/{}/query", "query (SOQL)", ("api",),
       "opportunities, stage history, accounts, contacts, cases, task and event dates",
       _SALESFORCE_DOC),
    _e(_SF, "GET", "/services/data/{}/query/{}", "query: next page", ("api",),
       "the further pages of those queries", _SALESFORCE_DOC),
    _e(_SF, "GET", "/services/data/{}/queryAll", "queryAll (SOQL)", ("api",),
       "the ids still there, to find deletions older than the recycle bin", _SALESFORCE_DOC),
    _e(_SF, "GET", "/services/data/{}/sobjects/{}/deleted/", "sObject deleted", ("api",),
       "the ids deleted in a span of time", _SALESFORCE_DOC),
    _e(_SF, "GET", "/services/data/{}/sobjects/{}/{}", "sObject rows: read", ("api",),
       "one record's original, on demand (shown, never stored)", _SALESFORCE_DOC),
    _e(_SF, "POST", "/services/oauth2/token", "token", (), "tokens", _GRANT),
    _e(_SF, "POST", "/services/oauth2/introspect", "introspect", (), "a token's expiry", _GRANT),
    _e(_SF, "POST", "/services/oauth2/revoke", "revoke", (), "(gives the grant back)", _GRANT),
    # HubSpot
    *_hubspot("deals"),
    *_hubspot("companies"),
    *_hubspot("contacts"),
    *_hubspot_links("deals", "companies"),
    *_hubspot_links("deals", "contacts"),
    *_hubspot_links("contacts", "companies"),
    _e(_HS, "GET", "/crm/v3/pipelines/deals", "pipelines: deals", ("crm.objects.deals.read",),
       "the order of the deal stages", _HUBSPOT_DOC),
    _e(_HS, "POST", "/oauth/2026-03/token", "token", (), "tokens", _GRANT),
    _e(_HS, "POST", "/oauth/2026-03/token/revoke", "revoke", (), "(gives the grant back)",
       _GRANT),
    # Gmail
    _e("gmail", "GET", "/gmail/v1/users/{}/profile", "gmail.users.getProfile",
       (GMAIL_METADATA,), "the mailbox's own address", _GMAIL_SPEC),
    _e("gmail", "GET", "/gmail/v1/users/{}/messages", "gmail.users.messages.list",
       (GMAIL_METADATA,), "message and thread ids", _GMAIL_SPEC),
    _e("gmail", "GET", "/gmail/v1/users/{}/messages/{}", "gmail.users.messages.get",
       (GMAIL_METADATA,), "a message's date, labels and From/To/Cc addresses", _GMAIL_SPEC),
    _e("gmail", "GET", "/gmail/v1/users/{}/history", "gmail.users.history.list",
       (GMAIL_METADATA,), "what changed since the last sync", _GMAIL_SPEC),
    _e("gmail", "GET", "/gmail/v1/users/{}/threads/{}", "gmail.users.threads.get",
       (GMAIL_METADATA,), "a thread's original, on demand (headers only)", _GMAIL_SPEC),
    # Google Calendar: the primary calendar's events only.
    _e("google_calendar", "GET", "/calendar/v3/calendars/{}/events", "calendar.events.list",
       (CALENDAR_EVENTS_READONLY,), "your calendar's event ids, times, status and attendees",
       _CALENDAR_SPEC),
    _e("google_calendar", "GET", "/calendar/v3/calendars/{}/events/{}", "calendar.events.get",
       (CALENDAR_EVENTS_READONLY,), "one event's original, on demand", _CALENDAR_SPEC),
    *(
        _e(google, method, path, operation, (), reads, _GRANT)
        for google in ("gmail", "google_calendar")
        for method, path, operation, reads in (
            ("POST", "/token", "token", "tokens"),
            ("POST", "/revoke", "revoke", "(gives the grant back)"),
        )
    ),
    # Slack: public channels only, read as the connecting person.
    _e("slack", "GET", "/api/auth.test", "auth.test", (),
       "the workspace's address (for links) and who connected it", _SLACK_SPEC),
    _e("slack", "GET", "/api/conversations.list", "conversations.list", ("channels:read",),
       "the public channels: ids, names, creation dates", _SLACK_SPEC),
    _e("slack", "GET", "/api/conversations.info", "conversations.info", ("channels:read",),
       "one channel's original, on demand", _SLACK_SPEC),
    _e("slack", "GET", "/api/conversations.history", "conversations.history",
       ("channels:history",), "message ids, timestamps and authors (never the text)",
       _SLACK_SPEC),
    _e("slack", "GET", "/api/conversations.replies", "conversations.replies",
       ("channels:history",), "thread replies: ids, timestamps, authors", _SLACK_SPEC),
    _e("slack", "GET", "/api/users.list", "users.list", ("users:read",),
       "members: ids and names", _SLACK_SPEC),
    _e("slack", "GET", "/api/users.info", "users.info", ("users:read",),
       "one member's original, on demand", _SLACK_SPEC),
    _e("slack", "POST", "/api/oauth.v2.access", "oauth.v2.access", (), "tokens", _GRANT),
    _e("slack", "POST", "/api/auth.revoke", "auth.revoke", (), "(gives the grant back)", _GRANT),
    # Zendesk
    *(
        _e(_ZD, "GET", "/api/v2/" + path, path, ("read",), reads, _ZENDESK_DOC)
        for path, reads in (
            ("incremental/tickets/cursor.json", "tickets: ids, status, priority, people, dates"),
            ("incremental/ticket_events.json", "status and assignment changes of tickets"),
            ("users.json", "users: ids, names, addresses"),
            ("organizations.json", "organisations: ids and names"),
            ("tickets/{}", "one ticket's original, on demand"),
            ("tickets/{}/audits/{}", "one change's original, on demand"),
            ("users/{}", "one user's original, on demand"),
            ("organizations/{}", "one organisation's original, on demand"),
        )
    ),
    _e(_ZD, "POST", "/oauth/tokens", "token", (), "tokens", _GRANT),
    _e(_ZD, "DELETE", "/api/v2/oauth/tokens/current.json", "revoke", (),
       "(gives the grant back)", _GRANT),
    # Jira (under https://api.atlassian.com/ex/jira/{cloudid})
    _e(_JR, "GET", "/oauth/token/accessible-resources", "accessible resources", (),
       "which Jira site the grant is for", _GRANT),
    _e(_JR, "GET", "/ex/jira/{}/rest/api/3/myself", "myself", ("read:jira-user",),
       "your time zone (to read dates as Jira writes them)", _JIRA_DOC),
    _e(_JR, "GET", "/ex/jira/{}/rest/api/3/search/jql", "search (JQL)", ("read:jira-work",),
       "issues: keys, status changes, assignee and reporter, dates", _JIRA_DOC),
    _e(_JR, "POST", "/ex/jira/{}/rest/api/3/search/jql", "search (JQL)", ("read:jira-work",),
       "issues: keys, status changes, assignee and reporter, dates", _JIRA_DOC),
    _e(_JR, "GET", "/ex/jira/{}/rest/api/3/issue/{}/changelog", "issue changelog",
       ("read:jira-work",), "the rest of a long issue history", _JIRA_DOC),
    _e(_JR, "GET", "/ex/jira/{}/rest/api/3/issue/{}", "issue: read", ("read:jira-work",),
       "one issue's original, on demand", _JIRA_DOC),
    _e(_JR, "POST", "/oauth/token", "token", (), "tokens", _GRANT),
)

_REFRESH = "keeps the connection working without asking you again (a refresh token)"
EXTRA_SCOPES: tuple[ExtraScope, ...] = (
    ExtraScope(provider=_SF, scope="refresh_token", reads=_REFRESH, source=_SALESFORCE_DOC),
    ExtraScope(provider=_HS, scope="oauth", reads="required of every HubSpot app by HubSpot; "
               "reads nothing", source=_HUBSPOT_DOC),
    ExtraScope(provider="slack", scope="users:read.email", reads="members' email addresses, "
               "in the answers of users.list and users.info (to know a person across tools)",
               source="api.slack.com/scopes/users:read.email"),
    ExtraScope(provider=_JR, scope="offline_access", reads=_REFRESH, source=_JIRA_DOC),
)
# Said beside a scope's reasons: where the narrowest scope is still broader than Atlas's use.
SCOPE_NOTES = {
    ("salesforce", "api"): "Salesforce has no read-only API scope: api would also allow "
    "changes, which Atlas never makes. Connect with an integration user whose profile gives "
    "read access only (docs/integrations.md, Minimal scopes).",
}
# fmt: on


def endpoints_of(provider: str) -> tuple[Endpoint, ...]:
    return tuple(e for e in ENDPOINTS if e.provider == provider)


def required_scopes(provider: str) -> tuple[str, ...]:
    """The union of what the called endpoints and the grant need, in first-use order."""
    ordered = [s for e in endpoints_of(provider) for s in e.scopes]
    ordered += [extra.scope for extra in EXTRA_SCOPES if extra.provider == provider]
    return tuple(dict.fromkeys(ordered))


def scope_reasons(provider: str) -> dict[str, str]:
    """Per requested scope, what Atlas reads with it, in plain words."""
    reasons: dict[str, list[str]] = {}
    for endpoint in endpoints_of(provider):
        for scope in endpoint.scopes:
            reasons.setdefault(scope, [])
            if endpoint.reads not in reasons[scope]:
                reasons[scope].append(endpoint.reads)
    for extra in EXTRA_SCOPES:
        if extra.provider == provider:
            reasons[extra.scope] = [extra.reads]
    for (noted, scope), note in SCOPE_NOTES.items():
        if noted == provider and scope in reasons:
            reasons[scope].append(note)
    return {scope: "; ".join(said) for scope, said in reasons.items()}
