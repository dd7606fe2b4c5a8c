"""Every provider's connector, by provider key (``domain.integrations.providers.CATALOG``)."""

from __future__ import annotations

from adapters.connectors.readers import Connector
from adapters.connectors.zendesk import reader as zendesk

CONNECTORS: dict[str, Connector] = {
    "zendesk": Connector(build=zendesk.build),
}
