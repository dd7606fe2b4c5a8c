"""The providers Atlas connects to; Gmail and Calendar are separate grants of one Google app.

Each provider's scopes are derived from the endpoints its connector calls (``endpoints.py``):
never written here, so a scope cannot outlive the call that needed it.
"""

from __future__ import annotations

from domain.integrations.catalog import ProviderSpec, TokenBehaviour
from domain.integrations.endpoints import required_scopes

_GOOGLE_AUTH = {
    "access_type": "offline",
    "prompt": "consent",
    "include_granted_scopes": "true",
}
_GOOGLE_TOKENS = TokenBehaviour(
    access_ttl_seconds=3600, rotates_refresh_token=False, refresh_omits_refresh_token=True
)

SALESFORCE = ProviderSpec(
    key="salesforce",
    platform="salesforce",
    name="Salesforce",
    authorize_url="https://login.salesforce.com/services/oauth2/authorize",
    token_url="https://login.salesforce.com/services/oauth2/token",
    revoke_url="https://login.salesforce.com/services/oauth2/revoke",
    revocation="form_token",
    introspect_url="https://login.salesforce.com/services/oauth2/introspect",
    api_base="https://login.salesforce.com/services/data/v62.0",  # replaced by instance_url
    scopes=required_scopes("salesforce"),
    pkce=True,
    tokens=TokenBehaviour(access_ttl_seconds=None, rotates_refresh_token=False),
    rate_limits="Daily org allowance (~100,000 + 1,000 per licence); 403 REQUEST_LIMIT_EXCEEDED",
    reads="Opportunities and their stage history, accounts, contacts, cases, task and event "
    "dates, owners and links.",
    never_stores="Subjects, descriptions or bodies of tasks, events or cases.",
)

HUBSPOT = ProviderSpec(
    key="hubspot",
    platform="hubspot",
    name="HubSpot",
    authorize_url="https://app.hubspot.com/oauth/authorize",
    token_url="https://api.hubapi.com/oauth/2026-03/token",
    revoke_url="https://api.hubapi.com/oauth/2026-03/token/revoke",
    revocation="form_token_client",
    api_base="https://api.hubapi.com",
    scopes=required_scopes("hubspot"),
    pkce=False,
    tokens=TokenBehaviour(access_ttl_seconds=1800, rotates_refresh_token=False),
    rate_limits="100 requests per 10 s per account; search about 4-5 requests/s; 429",
    reads="Deals and their stage history, companies, contacts, engagement dates and links.",
    never_stores="Email subjects and bodies, meeting notes, call notes.",
)

GMAIL = ProviderSpec(
    key="gmail",
    platform="google",
    name="Gmail",
    authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
    token_url="https://oauth2.googleapis.com/token",
    revoke_url="https://oauth2.googleapis.com/revoke",
    revocation="form_token",
    api_base="https://gmail.googleapis.com/gmail/v1",
    scopes=required_scopes("gmail"),
    pkce=True,
    authorize_params=_GOOGLE_AUTH,
    issuer="https://accounts.google.com",
    tokens=_GOOGLE_TOKENS,
    rate_limits="15,000 quota units per user per minute; 403 userRateLimitExceeded or 429",
    reads="Message ids, thread ids, labels, dates and the From/To/Cc addresses.",
    never_stores="Subjects, snippets, bodies or attachments (the metadata scope cannot read "
    "bodies at all).",
    personal=True,
)

GOOGLE_CALENDAR = ProviderSpec(
    key="google_calendar",
    platform="google",
    name="Google Calendar",
    authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
    token_url="https://oauth2.googleapis.com/token",
    revoke_url="https://oauth2.googleapis.com/revoke",
    revocation="form_token",
    api_base="https://www.googleapis.com/calendar/v3",
    scopes=required_scopes("google_calendar"),
    pkce=True,
    authorize_params=_GOOGLE_AUTH,
    issuer="https://accounts.google.com",
    tokens=_GOOGLE_TOKENS,
    rate_limits="600 requests per user per minute; 403 usageLimits or 429",
    reads="Event ids, times, status, organiser and attendee addresses with their responses.",
    never_stores="Event titles, descriptions, locations or attachments.",
    personal=True,
)

SLACK = ProviderSpec(
    key="slack",
    platform="slack",
    name="Slack",
    authorize_url="https://slack.com/oauth/v2/authorize",
    token_url="https://slack.com/api/oauth.v2.access",
    revoke_url="https://slack.com/api/auth.revoke",
    revocation="bearer_post",
    api_base="https://slack.com/api",
    # User-token scopes, public channels only: no direct messages, group DMs or private
    # channels (docs/integrations.md, "Minimal scopes", records that decision).
    scopes=required_scopes("slack"),
    scope_separator=",",
    scope_parameter="user_scope",
    pkce=False,  # enabling PKCE makes a Slack app public (providers.md 2.4): keep it off
    tokens=TokenBehaviour(access_ttl_seconds=43_200, rotates_refresh_token=True),
    rate_limits="Per-method tiers (Tier 3 = 50+/min); 429 with Retry-After",
    reads="Channel and message ids, timestamps, authors, thread replies and member ids.",
    never_stores="Message text, blocks, files or attachments.",
)

ZENDESK = ProviderSpec(
    key="zendesk",
    platform="zendesk",
    name="Zendesk",
    authorize_url="https://{subdomain}.zendesk.com/oauth/authorizations/new",
    token_url="https://{subdomain}.zendesk.com/oauth/tokens",
    revoke_url="https://{subdomain}.zendesk.com/api/v2/oauth/tokens/current.json",
    revocation="bearer_delete",
    api_base="https://{subdomain}.zendesk.com/api/v2",
    scopes=required_scopes("zendesk"),
    pkce=True,
    tokens=TokenBehaviour(access_ttl_seconds=1800, rotates_refresh_token=True),
    rate_limits="Incremental export 10 requests/min; 429 with Retry-After",
    reads="Ticket ids, status and priority changes, requester, assignee, group and dates.",
    never_stores="Ticket subjects, descriptions or comments.",
)

JIRA = ProviderSpec(
    key="jira",
    platform="jira",
    name="Jira",
    authorize_url="https://auth.atlassian.com/authorize",
    token_url="https://auth.atlassian.com/oauth/token",
    revoke_url=None,  # no public revocation endpoint: the user removes the app themselves
    account_url="https://api.atlassian.com/oauth/token/accessible-resources",
    revocation_note="Atlassian has no revocation endpoint for this kind of app: remove Atlas "
    "under your Atlassian account's connected apps.",
    api_base="https://api.atlassian.com",
    scopes=required_scopes("jira"),
    pkce=False,
    authorize_params={"audience": "api.atlassian.com", "prompt": "consent"},
    tokens=TokenBehaviour(
        access_ttl_seconds=3600, rotates_refresh_token=True, reuse_grace_seconds=600
    ),
    rate_limits="Points-based quotas; 429 with Retry-After",
    reads="Issue ids and keys, status transitions, assignee and reporter, dates.",
    never_stores="Issue summaries, descriptions or comments.",
)

CATALOG: dict[str, ProviderSpec] = {
    spec.key: spec for spec in (SALESFORCE, HUBSPOT, GMAIL, GOOGLE_CALENDAR, SLACK, ZENDESK, JIRA)
}
