"""A connection: one user's grant to one provider, and its lifecycle.

A connection exists once a grant succeeded; an authorisation in progress is only a pending
OAuth state, so a refused, denied or abandoned attempt leaves no connection behind.

active ──(invalid_grant, missing scope)──▶ needs_reauth ──(reconnect)──▶ active
   └──(transient failures)──▶ error ──(refresh succeeds)──▶ active
any ──(disconnect)──▶ revoked ──(reconnect: a new grant under the same id)──▶ active
"""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

import msgspec

from domain.integrations.providers import CATALOG
from domain.shared.ids import TenantId, UserId


class ConnectionStatus(enum.StrEnum):
    ACTIVE = "active"
    NEEDS_REAUTH = "needs_reauth"
    REVOKED = "revoked"
    ERROR = "error"


class GrantedAccount(msgspec.Struct, frozen=True, kw_only=True):
    """What a successful grant tells us besides the tokens: metadata, never secret."""

    scopes: tuple[str, ...]
    external_account: str | None = None  # the org, portal, workspace or site behind the grant
    instance_url: str | None = None  # Salesforce: every API call goes there


class Connection(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: TenantId
    user_id: UserId
    provider: str
    status: ConnectionStatus
    subdomain: str | None = None  # the customer's own host (Zendesk)
    scopes_requested: tuple[str, ...]
    scopes_granted: tuple[str, ...] = ()
    external_account: str | None = None
    instance_url: str | None = None
    needs_review: bool = False  # the grant is broader than requested
    created_at: datetime
    updated_at: datetime
    last_refresh_at: datetime | None = None
    last_error: str | None = None
    failure_count: int = 0
    retry_not_before: datetime | None = None  # cooldown after transient refresh failures
    reauth_notified_at: datetime | None = None  # the owner was told once (deduplicated)
    revocation: str | None = None  # how the last disconnect went at the provider
    # A personal connection's records are its owner's alone until they share it; the
    # company's systems are always the tenant's (see ``ProviderSpec.personal``).
    shared: bool = False

    @property
    def personal(self) -> bool:
        """One person's mailbox or calendar (the catalog says), not a company system."""
        spec = CATALOG.get(self.provider)
        return spec is not None and spec.personal

    def private_to(self) -> UserId | None:
        """Whose private records this connection brings: its owner's, while it is personal
        and not shared; None: the tenant's."""
        return self.user_id if self.personal and not self.shared else None

    @classmethod
    def granted(
        cls,
        *,
        id: UUID,
        tenant_id: TenantId,
        user_id: UserId,
        provider: str,
        subdomain: str | None,
        requested: tuple[str, ...],
        account: GrantedAccount,
        at: datetime,
    ) -> Connection:
        new = cls(
            id=id,
            tenant_id=tenant_id,
            user_id=user_id,
            provider=provider,
            status=ConnectionStatus.ACTIVE,
            subdomain=subdomain,
            scopes_requested=requested,
            created_at=at,
            updated_at=at,
        )
        return new.activated(requested=requested, account=account, at=at)

    def activated(
        self, *, requested: tuple[str, ...], account: GrantedAccount, at: datetime
    ) -> Connection:
        """A grant succeeded (first connect or reconnect): the same id, a fresh start."""
        extra = set(account.scopes) - set(requested)
        return msgspec.structs.replace(
            self,
            status=ConnectionStatus.ACTIVE,
            scopes_requested=requested,
            scopes_granted=account.scopes,
            external_account=account.external_account,
            instance_url=account.instance_url,
            needs_review=bool(extra),
            updated_at=at,
            last_refresh_at=at,
            last_error=None,
            failure_count=0,
            retry_not_before=None,
            reauth_notified_at=None,
            revocation=None,
        )

    @property
    def usable(self) -> bool:
        """Tokens may be handed out (an ``error`` connection recovers on its next refresh)."""
        return self.status in (ConnectionStatus.ACTIVE, ConnectionStatus.ERROR)

    def missing_scopes(self, granted: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(s for s in self.scopes_requested if s not in set(granted))

    def refreshed(self, at: datetime, instance_url: str | None = None) -> Connection:
        return msgspec.structs.replace(
            self,
            status=ConnectionStatus.ACTIVE,
            instance_url=instance_url or self.instance_url,
            last_refresh_at=at,
            updated_at=at,
            last_error=None,
            failure_count=0,
            retry_not_before=None,
        )

    def needs_reauth(self, reason: str, at: datetime) -> Connection:
        """A dead grant: no more retries. The owner is notified once (``first_notice``)."""
        return msgspec.structs.replace(
            self,
            status=ConnectionStatus.NEEDS_REAUTH,
            last_error=reason,
            updated_at=at,
            retry_not_before=None,
            reauth_notified_at=self.reauth_notified_at or at,
        )

    def first_notice(self, before: Connection) -> bool:
        """Did this change raise the needs-reauth notice (it is raised once per dead grant)?"""
        return before.reauth_notified_at is None and self.reauth_notified_at is not None

    def failed(self, reason: str, at: datetime, retry_not_before: datetime) -> Connection:
        """A transient failure: keep the grant, cool down before the next refresh attempt."""
        return msgspec.structs.replace(
            self,
            status=ConnectionStatus.ERROR,
            last_error=reason,
            updated_at=at,
            failure_count=self.failure_count + 1,
            retry_not_before=retry_not_before,
        )

    def revoked(self, at: datetime, revocation: str) -> Connection:
        return msgspec.structs.replace(
            self,
            status=ConnectionStatus.REVOKED,
            updated_at=at,
            retry_not_before=None,
            revocation=revocation,
        )
