"""Every provider's connector, by provider key (``domain.integrations.providers.CATALOG``)."""

from __future__ import annotations

from adapters.connectors.jira import reader as jira
from adapters.connectors.jira.throttle import classify as jira_classify
from adapters.connectors.readers import Connector
from adapters.connectors.zendesk import reader as zendesk

CONNECTORS: dict[str, Connector] = {
    "zendesk": Connector(build=zendesk.build),
    "jira": Connector(build=jira.build, classify=jira_classify),
}
