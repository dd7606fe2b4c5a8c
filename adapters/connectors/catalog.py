"""Every provider's connector, by provider key (``domain.integrations.providers.CATALOG``)."""

from __future__ import annotations

from adapters.connectors.gmail import reader as gmail
from adapters.connectors.google import errors as google
from adapters.connectors.google_calendar import reader as google_calendar
from adapters.connectors.readers import Connector
from adapters.connectors.zendesk import reader as zendesk

CONNECTORS: dict[str, Connector] = {
    "zendesk": Connector(build=zendesk.build),
    "gmail": Connector(build=gmail.build, classify=google.classify),
    "google_calendar": Connector(build=google_calendar.build, classify=google.classify),
}
