"""Errors of the integrations context: stable codes; the category gives the HTTP meaning."""

from __future__ import annotations

from domain.shared.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, Unavailable


class IntegrationsError(DomainError):
    code = "integrations.error"


class UnknownProvider(IntegrationsError, Invalid):
    code = "integrations.unknown_provider"
    default_message = "Atlas does not connect to this provider."


class ProviderNotConfigured(IntegrationsError, Conflict):
    code = "integrations.provider_unavailable"
    default_message = "This provider is not set up on this Atlas (no OAuth client)."


class SubdomainRequired(IntegrationsError, Invalid):
    code = "integrations.subdomain_required"
    default_message = (
        "This provider needs your account's subdomain (e.g. acme for acme.zendesk.com)."
    )


class NotPersonal(IntegrationsError, Invalid):
    code = "integrations.not_personal"
    default_message = (
        "Only a personal connection (a mailbox, a calendar) is shared or kept private: "
        "the company's systems are always the tenant's."
    )


class InvalidSubdomain(IntegrationsError, Invalid):
    code = "integrations.invalid_subdomain"
    default_message = "A subdomain is 1-63 lowercase letters, digits or hyphens."


class ConnectionNotFound(IntegrationsError, NotFound):
    code = "integrations.connection_not_found"
    default_message = "No such connection."


class StartLinkInvalid(IntegrationsError, NotFound):
    code = "integrations.start_link_invalid"
    default_message = (
        "This start link is unknown, already used or expired. Start connecting again from "
        "Integrations."
    )


class StartLinkNotYours(IntegrationsError, Forbidden):
    # Said plainly: whoever holds the link already knows it exists, and a person who was sent
    # someone else's link should learn that it is not theirs to follow.
    code = "integrations.start_link_not_yours"
    default_message = (
        "This start link was made by another Atlas account or for another organisation: only "
        "the person who started connecting can continue, signed in to that organisation."
    )


class ConnectionNeedsReauth(IntegrationsError, Conflict):
    code = "integrations.needs_reauth"
    default_message = "The provider no longer accepts this connection's grant; reconnect it."


class ConnectionRevoked(IntegrationsError, Conflict):
    code = "integrations.connection_revoked"
    default_message = "This connection was disconnected; reconnect it to use it again."


class RefreshUnavailable(IntegrationsError, Unavailable):
    code = "integrations.refresh_unavailable"
    default_message = "The provider could not refresh the connection's token; try again later."


class RefreshBusy(IntegrationsError, Unavailable):
    code = "integrations.refresh_busy"
    default_message = "Another process is refreshing this connection's token; try again shortly."


# -- what a provider call can end in (raised by the OAuth client adapter) --------------------


class ProviderCallFailed(IntegrationsError):
    """``reason`` is a short code (``invalid_grant``, ``http_503``, ``network``), never a body."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(None, reason=reason)
        self.reason = reason
        self.retry_after_seconds = retry_after


class DeadGrant(ProviderCallFailed, Conflict):
    """The grant is gone (``invalid_grant``, ``BAD_REFRESH_TOKEN``, ``token_revoked``...)."""

    code = "integrations.dead_grant"
    default_message = "The provider refused the grant."


class ProviderTransient(ProviderCallFailed, Unavailable):
    """Network trouble, a 5xx or a 429: worth trying again later."""

    code = "integrations.provider_unreachable"
    default_message = "The provider could not be reached."


class ProviderRefused(ProviderCallFailed, Conflict):
    """Any other refusal (a bad code, a bad request, our client credentials)."""

    code = "integrations.provider_refused"
    default_message = "The provider refused the request."

    @property
    def misconfigured(self) -> bool:
        """Our OAuth client is wrong: an alert for us, not a state of the connection."""
        return self.reason in _OUR_CLIENT


_OUR_CLIENT = frozenset(
    {"invalid_client", "unauthorized_client", "invalid_client_id", "bad_client_secret"}
    | {"BAD_CLIENT_ID", "BAD_CLIENT_SECRET"}
)
