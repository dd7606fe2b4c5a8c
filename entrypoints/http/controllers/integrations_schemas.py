"""What the integrations endpoints send and receive."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from application.graph.purge_scope import PurgeSummary
from application.integrations.directory import ProviderListing
from application.integrations.ports import TenantConnection
from domain.integrations.connection import Connection
from domain.integrations.endpoints import scope_reasons
from domain.integrations.providers import CATALOG
from entrypoints.http.controllers.sync_schemas import SyncView

ProviderKey = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Subdomain = Annotated[str, msgspec.Meta(min_length=1, max_length=63)]


class PermissionView(msgspec.Struct, frozen=True, kw_only=True):
    scope: str
    reads: str  # why Atlas asks for it: what it reads with it, in plain words


class ProviderView(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    name: str
    platform: str
    available: bool  # an OAuth client is configured for its platform here
    scopes: list[str]  # exactly what the authorization request asks for
    permissions: list[PermissionView]  # each of those scopes, with why it is asked for
    reads: str  # what Atlas reads, in plain words
    never_stores: str  # what Atlas never stores
    needs_subdomain: bool
    pkce: bool
    revocable: bool  # disconnecting gives the grant back at the provider
    revocation_note: str | None
    personal: bool  # one person's mailbox or calendar: purged when that member leaves

    @classmethod
    def of(cls, listing: ProviderListing) -> ProviderView:
        spec = listing.spec
        reasons = scope_reasons(spec.key)
        return cls(
            key=spec.key,
            name=spec.name,
            platform=spec.platform,
            available=listing.available,
            scopes=list(spec.scopes),
            permissions=[
                PermissionView(scope=scope, reads=reasons[scope]) for scope in spec.scopes
            ],
            reads=spec.reads,
            never_stores=spec.never_stores,
            needs_subdomain=listing.needs_subdomain,
            pkce=spec.pkce,
            revocable=spec.revocation is not None,
            revocation_note=spec.revocation_note,
            personal=spec.personal,
        )


class ProviderList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ProviderView]


class ConnectBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    provider: ProviderKey
    subdomain: Subdomain | None = None  # the customer's own host, where a provider has one


class StartedView(msgspec.Struct, frozen=True, kw_only=True):
    connection_id: UUID  # the id the connection will have (or has, when reconnecting)
    provider: str
    # The web app's confirmation page for this start (the ticket in its fragment): it shows
    # who is connecting to which organisation, then opens the ticket for this browser.
    authorization_url: str
    start_ticket: str  # POST /api/v1/oauth/start opens it, as the member who started only
    provider_authorization_url: str  # where opening sends the browser (for inspection)
    expires_at: datetime  # the ticket opens once, until then


class ConnectionView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    provider: str
    status: str  # active | needs_reauth | revoked | error
    scopes_requested: list[str]
    scopes_granted: list[str]
    needs_review: bool  # granted more than requested
    external_account: str | None
    subdomain: str | None
    created_at: datetime
    updated_at: datetime
    last_refresh_at: datetime | None
    last_error: str | None
    revocation: str | None  # how the last disconnect went at the provider
    personal: bool  # one person's mailbox or calendar: its records are theirs unless shared
    shared: bool  # its records are the tenant's (always so for a company system)
    sync: SyncView | None = None  # the schedule and the latest run

    @classmethod
    def of(cls, connection: Connection, sync: SyncView | None = None) -> ConnectionView:
        return cls(
            id=connection.id,
            provider=connection.provider,
            status=connection.status.value,
            scopes_requested=list(connection.scopes_requested),
            scopes_granted=list(connection.scopes_granted),
            needs_review=connection.needs_review,
            external_account=connection.external_account,
            subdomain=connection.subdomain,
            created_at=connection.created_at,
            updated_at=connection.updated_at,
            last_refresh_at=connection.last_refresh_at,
            last_error=connection.last_error,
            revocation=connection.revocation,
            personal=connection.personal,
            shared=connection.private_to() is None,
            sync=sync,
        )


class ConnectionList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ConnectionView]


class DisconnectedView(msgspec.Struct, frozen=True, kw_only=True):
    connection: ConnectionView
    purged: PurgeSummary | None


class TenantConnectionView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    provider: str
    personal: bool
    shared: bool  # its records are the tenant's
    status: str
    owner: MemberRef
    created_at: datetime

    @classmethod
    def of(cls, found: TenantConnection) -> TenantConnectionView:
        spec = CATALOG.get(found.provider)
        personal = spec is not None and spec.personal
        return cls(
            id=found.id,
            provider=found.provider,
            personal=personal,
            shared=found.shared or not personal,
            status=found.status,
            owner=MemberRef(user_id=found.user_id, name=found.owner_name, email=found.owner_email),
            created_at=found.created_at,
        )


class MemberRef(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID
    name: str
    email: str
