"""Every provider's connector, by provider key (``domain.integrations.providers.CATALOG``)."""

from __future__ import annotations

from adapters.connectors.readers import Connector
from adapters.connectors.slack import errors as slack_errors
from adapters.connectors.slack import reader as slack
from adapters.connectors.zendesk import reader as zendesk

CONNECTORS: dict[str, Connector] = {
    "slack": Connector(build=slack.build, classify=slack_errors.classify),
    "zendesk": Connector(build=zendesk.build),
}
