"""Every provider's connector, by provider key (``domain.integrations.providers.CATALOG``)."""

from __future__ import annotations

from adapters.connectors.gmail import reader as gmail
from adapters.connectors.google import errors as google
from adapters.connectors.google_calendar import reader as google_calendar
from adapters.connectors.hubspot import calls as hubspot_calls
from adapters.connectors.hubspot import reader as hubspot
from adapters.connectors.jira import reader as jira
from adapters.connectors.jira.throttle import classify as jira_classify
from adapters.connectors.readers import Connector
from adapters.connectors.salesforce import errors as salesforce_errors
from adapters.connectors.salesforce import reader as salesforce
from adapters.connectors.slack import errors as slack_errors
from adapters.connectors.slack import reader as slack
from adapters.connectors.zendesk import reader as zendesk

CONNECTORS: dict[str, Connector] = {
    "salesforce": Connector(build=salesforce.build, classify=salesforce_errors.classify),
    "hubspot": Connector(build=hubspot.build, classify=hubspot_calls.classify),
    "slack": Connector(build=slack.build, classify=slack_errors.classify),
    "zendesk": Connector(build=zendesk.build),
    "jira": Connector(build=jira.build, classify=jira_classify),
    "gmail": Connector(build=gmail.build, classify=google.classify),
    "google_calendar": Connector(build=google_calendar.build, classify=google.classify),
}
