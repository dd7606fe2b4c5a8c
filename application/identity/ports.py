"""Ports the identity use cases need; adapters implement them."""

from __future__ import annotations

from typing import Protocol

from application.shared.actor import Actor
from application.shared.ports import UnitOfWork
from domain.identity.model import LoginIdentity, Membership, Tenant, TenantMembership, User
from domain.shared.ids import TenantId, UserId


class TenantRepository(Protocol):
    async def add(self, tenant: Tenant) -> None: ...

    async def get(self, tenant_id: TenantId) -> Tenant | None: ...


class UserRepository(Protocol):
    async def add(self, user: User) -> None: ...

    async def get(self, user_id: UserId) -> User | None:
        """Only the scope's own user is visible: a login identity is private to its owner."""
        ...

    async def save(self, user: User) -> None: ...

    async def find_login(self, email: str) -> LoginIdentity | None:
        """The one narrow path to a login identity before anyone is authenticated.

        Only the id and the hash cross it, and a disabled account looks like an unknown one.
        """
        ...


class MembershipRepository(Protocol):
    async def add(self, membership: Membership) -> None: ...

    async def get(self, user_id: UserId) -> Membership | None: ...

    async def all(self) -> list[Membership]: ...

    async def save(self, membership: Membership) -> None: ...

    async def remove(self, user_id: UserId) -> bool: ...

    async def of_current_user(self) -> list[TenantMembership]:
        """Every tenant the scope's user belongs to, across tenants (used at login)."""
        ...


class IdentityUnitOfWork(UnitOfWork, Protocol):
    tenants: TenantRepository
    users: UserRepository
    memberships: MembershipRepository


class AccessTokenVerifier(Protocol):
    """Turns a presented access token into the actor it was issued to.

    Raises ``InvalidAccessToken`` for anything that is not a valid, unexpired token issued by
    Atlas: the HTTP layer answers every such case with the same 401.
    """

    def verify(self, token: str) -> Actor: ...
