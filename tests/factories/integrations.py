"""Connections for tests: valid, unique defaults; seeded through the integrations repositories."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any
from uuid import UUID

import msgspec

from adapters.fakes.identity import FakeIdentityUnitOfWork
from adapters.fakes.integrations import FakeIntegrationsUnitOfWork
from adapters.postgres.integrations import PostgresIntegrationsUnitOfWork
from application.integrations.ports import IntegrationsUnitOfWork
from application.shared.scope import Scope
from domain.integrations import flow
from domain.integrations.connection import Connection, GrantedAccount
from domain.integrations.flow import PendingGrant
from domain.integrations.providers import CATALOG
from domain.shared.ids import TenantId, UserId, new_id

WHEN = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def create_connection(scope: Scope, **overrides: Any) -> Connection:
    assert scope.tenant_id is not None
    assert scope.user_id is not None
    provider = overrides.pop("provider", "hubspot")
    scopes = CATALOG[provider].scopes
    connection = Connection.granted(
        id=overrides.pop("id", None) or new_id(),
        tenant_id=TenantId(scope.tenant_id),
        user_id=UserId(scope.user_id),
        provider=provider,
        subdomain=None,
        requested=scopes,
        account=GrantedAccount(scopes=scopes, external_account="account-1"),
        at=overrides.pop("at", WHEN),
    )
    return msgspec.structs.replace(connection, **overrides) if overrides else connection


def integrations_uow_beside(identity_uow: Any) -> Callable[[Scope], IntegrationsUnitOfWork]:
    """The integrations unit of work on the same store or database as ``identity_uow``."""
    assert isinstance(identity_uow, partial)
    if identity_uow.func is FakeIdentityUnitOfWork:
        return partial(FakeIntegrationsUnitOfWork, *identity_uow.args)
    return partial(PostgresIntegrationsUnitOfWork, *identity_uow.args)


async def seed_connection(identity_uow: Any, scope: Scope, **overrides: Any) -> UUID:
    """A stored connection (the row OAuth tokens hang off); returns its id."""
    connection = create_connection(scope, **overrides)
    async with integrations_uow_beside(identity_uow)(scope) as uow:
        await uow.connections.save(connection)
        await uow.commit()
    return connection.id


def create_pending(scope: Scope, **overrides: Any) -> PendingGrant:
    """A pending authorization as ``StartConnection`` stores it (hashes, sealed blobs)."""
    assert scope.tenant_id is not None
    assert scope.user_id is not None
    values: dict[str, Any] = {
        "id": new_id(),
        "tenant_id": TenantId(scope.tenant_id),
        "user_id": UserId(scope.user_id),
        "connection_id": new_id(),
        "reconnect": False,
        "provider": "slack",
        "platform": "slack",
        "subdomain": None,
        "scopes": CATALOG["slack"].scopes,
        "redirect_uri": "https://127.0.0.1:8443/api/v1/oauth/callback/slack",
        "state_hash": os.urandom(32),
        "ticket_hash": os.urandom(32),
        "sealed_authorization": os.urandom(64),
        "sealed_verifier": None,
        "created_at": WHEN,
        "ticket_expires_at": WHEN + flow.TICKET_TTL,
        "expires_at": WHEN + flow.STATE_TTL,
    }
    return PendingGrant(**(values | overrides))


async def seed_pending(identity_uow: Any, scope: Scope, **overrides: Any) -> PendingGrant:
    pending = create_pending(scope, **overrides)
    async with integrations_uow_beside(identity_uow)(scope) as uow:
        await uow.pending.add(pending)
        await uow.commit()
    return pending
