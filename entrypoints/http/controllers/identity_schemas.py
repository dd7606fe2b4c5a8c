"""Request and response bodies of the identity endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from msgspec import Meta, Struct

from application.identity.session_list import SessionSummary
from application.identity.sessions import TokenPair
from domain.identity.invitations import Invitation, Member
from domain.identity.model import Role, Tenant

Email = Annotated[
    str,
    Meta(
        max_length=320,
        pattern=r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$",
        description="Case and surrounding spaces ignored",
    ),
]
Password = Annotated[
    str,
    Meta(
        max_length=20_000,
        description="At least 12 characters and at most 72 bytes in UTF-8",
    ),
]
Name = Annotated[str, Meta(max_length=400)]
OpaqueToken = Annotated[str, Meta(max_length=400)]


class _Redacted(Struct, frozen=True, kw_only=True):
    """Bodies that carry passwords or tokens: their repr (logs, tracebacks) masks those."""

    _secret_fields: ClassVar[frozenset[str]] = frozenset(
        {"password", "current_password", "new_password", "refresh_token", "access_token", "token"}
    )

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={'<hidden>' if name in self._secret_fields else repr(getattr(self, name))}"
            for name in self.__struct_fields__
        )
        return f"{type(self).__name__}({shown})"


class SignUpBody(_Redacted, frozen=True, kw_only=True, forbid_unknown_fields=True):
    email: Email
    password: Password
    name: Name
    organisation: Name
    region: Literal["europe-west4", "us-central1"] = "europe-west4"


class LogInBody(_Redacted, frozen=True, kw_only=True, forbid_unknown_fields=True):
    email: Email
    password: Password
    tenant_id: UUID | None = None


class RefreshBody(_Redacted, frozen=True, kw_only=True, forbid_unknown_fields=True):
    # Required from API clients; the browser app sends {} and its cookie instead.
    refresh_token: OpaqueToken | None = None


class SwitchTenantBody(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    tenant_id: UUID


class ChangePasswordBody(_Redacted, frozen=True, kw_only=True, forbid_unknown_fields=True):
    current_password: Password
    new_password: Password


class AcceptInvitationBody(_Redacted, frozen=True, kw_only=True, forbid_unknown_fields=True):
    token: OpaqueToken
    password: Password
    name: Name | None = None


class InviteBody(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    email: Email
    role: Role


class RoleBody(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    role: Role


class Tokens(_Redacted, frozen=True, kw_only=True):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    refresh_token: str | None  # null for the browser app: its token is in a cookie
    tenant_id: UUID
    user_id: UUID
    role: Role

    @classmethod
    def of(cls, pair: TokenPair, *, web: bool = False) -> Tokens:
        return cls(
            access_token=pair.access_token.reveal(),
            token_type="Bearer",  # noqa: S106 - the scheme's name
            expires_in=pair.access_expires_in,
            refresh_token=None if web else pair.refresh_token.reveal(),
            tenant_id=pair.actor.tenant_id,
            user_id=pair.actor.user_id,
            role=pair.actor.role,
        )


class TenantView(Struct, frozen=True, kw_only=True):
    id: UUID
    name: str
    region: str
    created_at: datetime
    status: Literal["active", "pending_deletion"] = "active"
    purge_after: datetime | None = None  # pending deletion: read-only, an owner may restore

    @classmethod
    def of(cls, tenant: Tenant) -> TenantView:
        return cls(
            id=tenant.id,
            name=tenant.name,
            region=tenant.region,
            created_at=tenant.created_at,
            status="active" if tenant.purge_after is None else "pending_deletion",
            purge_after=tenant.purge_after,
        )


class TenantChoice(Struct, frozen=True, kw_only=True):
    tenant_id: UUID
    name: str
    role: Role


class VerifyEmailBody(_Redacted, frozen=True, kw_only=True, forbid_unknown_fields=True):
    token: OpaqueToken


class UserView(Struct, frozen=True, kw_only=True):
    id: UUID
    email: str
    name: str
    # Until it is, inviting people and connecting tools answer 403 identity.email_unverified.
    email_verified: bool
    email_verified_at: datetime | None


class ProfileView(Struct, frozen=True, kw_only=True):
    user: UserView
    tenant: TenantView
    role: Role
    tenants: list[TenantChoice]
    # Development only (no email service configured): the directory emails are written to, so
    # a developer can open the verification link. Absent in production.
    email_outbox: str | None = None


class MemberView(Struct, frozen=True, kw_only=True):
    user_id: UUID
    email: str
    name: str
    role: Role
    joined_at: datetime

    @classmethod
    def of(cls, member: Member) -> MemberView:
        return cls(
            user_id=member.user_id,
            email=member.email,
            name=member.name,
            role=member.role,
            joined_at=member.joined_at,
        )


class InvitationView(Struct, frozen=True, kw_only=True):
    id: UUID
    email: str
    role: Role
    created_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, invitation: Invitation) -> InvitationView:
        return cls(
            id=invitation.id,
            email=invitation.email,
            role=invitation.role,
            created_at=invitation.created_at,
            expires_at=invitation.expires_at,
        )


class SessionView(Struct, frozen=True, kw_only=True):
    id: UUID
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime  # when it ends unless used again (idle timeout or absolute limit)
    current: bool  # the session of the access token that asked

    @classmethod
    def of(cls, session: SessionSummary) -> SessionView:
        return cls(
            id=session.id,
            created_at=session.created_at,
            last_used_at=session.last_used_at,
            expires_at=session.expires_at,
            current=session.current,
        )


class EraseAccountBody(_Redacted, frozen=True, kw_only=True, forbid_unknown_fields=True):
    password: Password  # the account's current password: erasure re-authenticates
