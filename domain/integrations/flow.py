"""One authorization in progress: its state, ticket and browser binding, and what they guard.

Three secrets, each 256 random bits, each stored only as a SHA-256 hash:

- ``state`` travels to the provider and back (RFC 6749 §10.12); single-use, 10 minutes.
- the *start ticket* is handed to the signed-in client, which opens
  ``/api/v1/oauth/start/<ticket>`` in the browser; single-use, a few minutes. It reads
  ``<tenant>.<user>.<secret>``: the ids only choose the row-security scope of the lookup.
- the *browser binding* is set by that start page as a ``__Host-`` cookie
  (``<tenant>.<user>.<secret>``, HttpOnly, Secure, SameSite=Lax); the callback must present
  the same browser, so a state lured into another browser, user or tenant finds nothing.

What must be kept for later is sealed under the secret that will be presented to unlock it:
the provider's authorization URL under the ticket, the PKCE verifier under the state. A copy of
the database alone opens neither.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlencode
from uuid import UUID

import msgspec

from domain.identity.opaque import OpaqueToken, parse
from domain.integrations.catalog import ProviderSpec
from domain.shared.ids import TenantId, UserId

STATE_TTL = timedelta(minutes=10)
TICKET_TTL = timedelta(minutes=5)
STATE_BYTES = 32  # 256 bits (providers.md rule 1, R7.2)


def new_state() -> str:
    return secrets.token_urlsafe(STATE_BYTES)


def new_scoped_secret(tenant_id: TenantId, user_id: UserId) -> str:
    """``<tenant>.<user>.<256-bit secret>``: a start ticket or a browser binding."""
    return f"{tenant_id}.{user_id}.{secrets.token_urlsafe(STATE_BYTES)}"


def read_scoped_secret(value: str | None) -> OpaqueToken | None:
    return parse(value) if value else None


def digest(value: str) -> bytes:
    # A fast hash is right: each value has 256 bits of entropy, nothing to brute-force.
    return hashlib.sha256(value.encode("utf-8")).digest()


def seal_context(purpose: str, pending_id: UUID) -> bytes:
    """What a sealed flow value is bound to: it opens for this purpose of this row only."""
    return f"atlas-oauth-flow|{purpose}|{pending_id}".encode("ascii")


class PendingGrant(msgspec.Struct, frozen=True, kw_only=True):
    """The server-side half of one authorization in progress (a row of ``oauth_states``)."""

    id: UUID
    tenant_id: TenantId
    user_id: UserId
    connection_id: UUID
    reconnect: bool  # the connection exists already and keeps its id
    provider: str
    platform: str
    subdomain: str | None
    scopes: tuple[str, ...]
    redirect_uri: str
    state_hash: bytes
    ticket_hash: bytes
    sealed_authorization: bytes  # the provider's authorization URL, sealed under the ticket
    sealed_verifier: bytes | None  # the PKCE verifier, sealed under the state
    binding_hash: bytes | None = None  # set when the ticket is opened in a browser
    created_at: datetime
    ticket_expires_at: datetime
    expires_at: datetime
    ticket_used_at: datetime | None = None
    consumed_at: datetime | None = None

    def __repr__(self) -> str:
        return f"PendingGrant(id={self.id}, provider={self.provider!r})"


def authorization_url(
    spec: ProviderSpec, *, client_id: str, redirect_uri: str, state: str, challenge: str | None
) -> str:
    """The provider's authorization request: exactly the catalog's scopes, S256 when PKCE."""
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        spec.scope_parameter: spec.scope_separator.join(spec.scopes),
        **spec.authorize_params,
        "state": state,
    }
    if challenge is not None:
        params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    return f"{spec.authorize_url}?{urlencode(params)}"


class CallbackOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """Where the browser goes back to: ``connected``, ``denied`` or ``error``, with a code."""

    outcome: str
    reason: str
    connection_id: UUID | None = None


def connected(connection_id: UUID) -> CallbackOutcome:
    return CallbackOutcome(outcome="connected", reason="connected", connection_id=connection_id)


def failed(reason: str, connection_id: UUID | None = None) -> CallbackOutcome:
    outcome = "denied" if reason == "access_denied" else "error"
    return CallbackOutcome(outcome=outcome, reason=reason, connection_id=connection_id)
