"""Telling an owner that a connection must be reconnected (raised once per dead grant)."""

from __future__ import annotations

import logging

from application.integrations.ports import ReauthNotices
from domain.integrations.connection import Connection

log = logging.getLogger("atlas.integrations.notices")


class LoggedReauthNotices(ReauthNotices):
    """The notice is recorded on the connection (``reauth_notified_at``) and logged here; an
    email or feed event can hang off this port later without touching the token manager."""

    def needs_reauth(self, connection: Connection) -> None:
        log.warning(
            "connection %s (%s) of user %s needs to be reconnected: %s",
            connection.id,
            connection.provider,
            connection.user_id,
            connection.last_error,
        )
