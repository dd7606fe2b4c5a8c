"""Ports the identity use cases need; adapters implement them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

import msgspec

from application.shared.actor import Actor
from application.shared.ports import UnitOfWork
from domain.identity.email_verification import EmailVerification
from domain.identity.invitations import Invitation, Member
from domain.identity.model import LoginIdentity, Membership, Role, Tenant, TenantMembership, User
from domain.identity.sessions import RefreshFamily, RefreshTokenRecord, SecurityEvent
from domain.shared.ids import TenantId, UserId
from domain.shared.secret import Secret


class MemberDeparture(Protocol):
    """What leaves with a member: their grants at the providers, their personal records."""

    async def release(self, tenant_id: TenantId, user_id: UserId) -> list[str]:
        """Give back every grant of the member's connections at its provider and purge the
        records their personal ones brought. The source scopes purged, to sweep once more
        after the membership is gone (a sync page in flight may still have landed)."""
        ...

    async def sweep(self, tenant_id: TenantId, user_id: UserId, source_scopes: list[str]) -> None:
        """Purge these source scopes again, in a remaining manager's scope."""
        ...


class TenantRepository(Protocol):
    async def add(self, tenant: Tenant) -> None: ...

    async def get(self, tenant_id: TenantId) -> Tenant | None: ...

    async def lock(self, tenant_id: TenantId) -> None:
        """Hold the tenant until the transaction ends: membership changes go one at a time."""
        ...


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

    async def roster(self) -> list[Member]:
        """The scope tenant's members with their names and emails, oldest first."""
        ...


class RefreshSessionRepository(Protocol):
    """Refresh families and their tokens; rows are private to the scope's user and tenant."""

    async def add_family(self, family: RefreshFamily) -> None: ...

    async def family_and_role(self, family_id: UUID) -> tuple[RefreshFamily, Role] | None:
        """The family with the role its user holds in the tenant now, in one read; None when
        either is gone (removing a member deletes their families)."""
        ...

    async def get_family(self, family_id: UUID, *, lock: bool = False) -> RefreshFamily | None:
        """``lock`` serialises every refresh of one family until the transaction ends."""
        ...

    async def save_family(self, family: RefreshFamily) -> None: ...

    async def open_families(self) -> list[RefreshFamily]:
        """The scope user's families in the scope tenant that are not revoked."""
        ...

    async def families_of(self, tenant_id: TenantId, user_id: UserId) -> list[RefreshFamily]:
        """The user's families in the tenant that are not revoked, oldest first. The tenant
        and the user are named in the query as well as enforced by row security."""
        ...

    async def family_of(
        self, tenant_id: TenantId, user_id: UserId, family_id: UUID
    ) -> RefreshFamily | None:
        """One family, only if it is this user's in this tenant (named in the query too)."""
        ...

    async def add_token(self, token: RefreshTokenRecord) -> None: ...

    async def consume(self, digest: bytes, at: datetime) -> RefreshTokenRecord | None:
        """Mark an unused token rotated and return it; None if it was not unused.

        Atomic: of two concurrent callers with the same token, exactly one gets it.
        """
        ...

    async def find_token(self, digest: bytes) -> RefreshTokenRecord | None: ...

    async def children(self, digest: bytes) -> list[RefreshTokenRecord]: ...

    async def supersede_unused(self, family_id: UUID, at: datetime) -> None:
        """Every still-unused token of the family can never be used (a sibling was)."""
        ...


class EmailVerificationRepository(Protocol):
    """The scope user's pending verification link and their address's verified mark."""

    async def replace(self, verification: EmailVerification) -> None:
        """Keep this link as the user's only one: any earlier link stops working."""
        ...

    async def consume(self, user_id: UserId, digest: bytes, at: datetime) -> bool:
        """If ``digest`` is the user's pending, unexpired link: forget the link, mark the
        address verified and return True. Atomic, so a link works once."""
        ...

    async def mark_verified(self, user_id: UserId, at: datetime) -> None:
        """Verified by other means (an invitation reached the address); a pending link goes."""
        ...


class SecurityEventRepository(Protocol):
    async def add(self, event: SecurityEvent) -> None: ...

    async def recent(self, limit: int = 50) -> list[SecurityEvent]: ...


class InvitationRepository(Protocol):
    async def add(self, invitation: Invitation) -> None: ...

    async def get(self, invitation_id: UUID) -> Invitation | None: ...

    async def find(self, digest: bytes) -> Invitation | None: ...

    async def pending(self, at: datetime) -> list[Invitation]: ...

    async def accept(self, digest: bytes, at: datetime) -> Invitation | None:
        """Mark an open invitation accepted and return it; atomic, so it works once."""
        ...

    async def save(self, invitation: Invitation) -> None: ...


class ProfileSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    """Everything ``GET /me`` shows, read in one go (it is the most frequent request)."""

    user_id: UserId
    email: str
    name: str
    email_verified_at: datetime | None
    tenant: Tenant
    tenants: list[TenantMembership]
    family: RefreshFamily | None  # the session, for the liveness check


class ProfileReads(Protocol):
    async def snapshot(self, actor: Actor) -> ProfileSnapshot | None:
        """None when the user or the tenant is not visible in the actor's scope."""
        ...


class IdentityUnitOfWork(UnitOfWork, Protocol):
    tenants: TenantRepository
    users: UserRepository
    memberships: MembershipRepository
    sessions: RefreshSessionRepository
    invitations: InvitationRepository
    email_verifications: EmailVerificationRepository
    security_events: SecurityEventRepository
    profiles: ProfileReads


class AccessTokenVerifier(Protocol):
    """Turns a presented access token into the actor it was issued to.

    Raises ``InvalidAccessToken`` for anything that is not a valid, unexpired token issued by
    Atlas: the HTTP layer answers every such case with the same 401.
    """

    def verify(self, token: str) -> Actor: ...

    def expires_at(self, token: str) -> datetime:
        """When a token that ``verify`` accepted stops being valid (a feed socket closes then,
        unless its client presents a fresh one)."""
        ...


class IssuedAccessToken(msgspec.Struct, frozen=True, kw_only=True):
    token: Secret[str]
    expires_at: datetime


class AccessTokenIssuer(Protocol):
    """Signs an access token for an actor; ``AccessTokenVerifier`` reads it back."""

    def mint(self, actor: Actor) -> IssuedAccessToken: ...


class PasswordHasher(Protocol):
    """Slow, salted password hashing off the event loop, with bounded concurrency.

    Raises ``PasswordCheckBusy`` when every slot stays taken for too long.
    """

    async def hash(self, password: Secret[str]) -> Secret[str]: ...

    async def verify(self, password: Secret[str], stored: Secret[str] | None) -> bool:
        """``stored=None`` checks against a dummy hash of the configured scheme and cost: an
        unknown account costs exactly what a wrong password costs, and is never a match."""
        ...

    def needs_rehash(self, stored: Secret[str]) -> bool:
        """The hash's scheme or parameters differ from the configured ones."""
        ...

    def describe(self) -> dict[str, str | int]:
        """The scheme new hashes use and its parameters, as the trust page publishes them."""
        ...


class RateLimit(msgspec.Struct, frozen=True, kw_only=True):
    name: str  # keeps the counters of different rules apart
    limit: int
    window: timedelta


class RateLimiter(Protocol):
    """Counters shared by every API process; subjects are stored only as keyed hashes."""

    async def attempt(self, rule: RateLimit, subject: str) -> int | None:
        """Count one attempt: the seconds to wait if it is over the limit, else None."""
        ...

    async def exceeded(self, rule: RateLimit, subject: str) -> int | None:
        """Like ``attempt`` without counting."""
        ...

    async def refund(self, rule: RateLimit, subject: str) -> None:
        """Take back one attempt counted in the current window (a reserved one that succeeded)."""
        ...


class EmailMessage(msgspec.Struct, frozen=True, kw_only=True):
    to: str
    subject: str
    text: str
    # "invitation", "signup_notice", "email_verification": for logs and metrics, never the body
    kind: str

    def __repr__(self) -> str:
        return f"EmailMessage(kind={self.kind!r}, to=***)"


class EmailSender(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Deliver or raise ``EmailUnavailable``; never log the body (it carries tokens)."""
        ...
