"""Every provider's single-record read, by provider key (beside ``catalog.CONNECTORS``)."""

from __future__ import annotations

from adapters.connectors.gmail import originals as gmail
from adapters.connectors.google_calendar import originals as google_calendar
from adapters.connectors.hubspot import originals as hubspot
from adapters.connectors.jira import originals as jira
from adapters.connectors.originals import ReadOne
from adapters.connectors.salesforce import originals as salesforce
from adapters.connectors.slack import originals as slack
from adapters.connectors.zendesk import originals as zendesk

ORIGINALS: dict[str, ReadOne] = {
    "salesforce": salesforce.read_one,
    "hubspot": hubspot.read_one,
    "gmail": gmail.read_one,
    "google_calendar": google_calendar.read_one,
    "slack": slack.read_one,
    "zendesk": zendesk.read_one,
    "jira": jira.read_one,
}
