"""Valid, unique identity values; a test states only what it is about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from application.identity.ports import IdentityUnitOfWork
from application.shared.scope import Scope
from domain.identity import opaque
from domain.identity.invitations import Invitation
from domain.identity.model import Membership, Role, Tenant, User
from domain.identity.opaque import OpaqueToken
from domain.identity.sessions import (
    RefreshFamily,
    RefreshTokenRecord,
    RefreshTokenState,
    SecurityEvent,
    SecurityEventKind,
)
from domain.shared.ids import TenantId, UserId, new_tenant_id, new_user_id
from domain.shared.secret import Secret

WHEN = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def create_tenant(**overrides: Any) -> Tenant:
    values: dict[str, Any] = {
        "id": new_tenant_id(),
        "name": f"Tenant {uuid4().hex[:8]}",
        "region": "europe-west4",
        "created_at": WHEN,
    }
    return Tenant(**(values | overrides))


def create_user(**overrides: Any) -> User:
    values: dict[str, Any] = {
        "id": new_user_id(),
        "email": f"person-{uuid4().hex[:12]}@example.com",
        "name": "Ada Lovelace",
        "password_hash": Secret("$2b$12$" + "x" * 53),
        "created_at": WHEN,
        "email_verified_at": WHEN,  # an established account (override with None for a new one)
    }
    return User(**(values | overrides))


def create_membership(tenant_id: TenantId, user_id: UserId, role: Role = Role.MEMBER) -> Membership:
    return Membership(tenant_id=tenant_id, user_id=user_id, role=role, created_at=WHEN)


async def seed_tenant_with_owner(
    uow_for: Any, *, members: int = 0, verified: bool = True
) -> tuple[Tenant, list[User]]:
    """A tenant, its owner, and ``members`` more people, written as each would be at signup;
    ``verified=False``: the owner has not yet followed their verification link."""
    tenant = create_tenant()
    owner = create_user() if verified else create_user(email_verified_at=None)
    uow: IdentityUnitOfWork
    async with uow_for(Scope(tenant_id=tenant.id, user_id=owner.id)) as uow:
        await uow.tenants.add(tenant)
        await uow.users.add(owner)
        await uow.memberships.add(create_membership(tenant.id, owner.id, Role.OWNER))
        await uow.commit()
    people = [owner]
    for _ in range(members):
        person = create_user()
        async with uow_for(Scope(tenant_id=tenant.id, user_id=person.id)) as uow:
            await uow.users.add(person)
            await uow.memberships.add(create_membership(tenant.id, person.id))
            await uow.commit()
        people.append(person)
    return tenant, people


@dataclass(frozen=True)
class SeededSessions:
    family: RefreshFamily
    root: OpaqueToken  # used (rotated) …
    leaf: OpaqueToken  # … into this one, unused


async def seed_sessions(uow_for: Any, tenant: Tenant, owner: User) -> SeededSessions:
    """A refresh family with two tokens, an invitation and a security event for ``owner``."""
    family = RefreshFamily(
        id=uuid4(),
        tenant_id=tenant.id,
        user_id=owner.id,
        created_at=WHEN,
        last_used_at=WHEN,
        expires_at=WHEN + timedelta(days=30),
    )
    first, second = opaque.mint(tenant.id, owner.id), opaque.mint(tenant.id, owner.id)
    uow: IdentityUnitOfWork
    async with uow_for(Scope(tenant_id=tenant.id, user_id=owner.id)) as uow:
        await uow.sessions.add_family(family)
        for token, parent in ((first, None), (second, first.digest)):
            await uow.sessions.add_token(
                RefreshTokenRecord(
                    digest=token.digest,
                    tenant_id=tenant.id,
                    user_id=owner.id,
                    family_id=family.id,
                    parent_digest=parent,
                    issued_at=WHEN,
                    used_at=WHEN if parent is None else None,
                    state=RefreshTokenState.ROTATED if parent is None else RefreshTokenState.UNUSED,
                )
            )
        await uow.invitations.add(create_invitation(tenant.id, owner.id))
        await uow.security_events.add(
            SecurityEvent(
                id=uuid4(),
                tenant_id=tenant.id,
                user_id=owner.id,
                kind=SecurityEventKind.PASSWORD_CHANGED,
                family_id=family.id,
                client_address="192.0.2.1",
                user_agent="factory",
                occurred_at=WHEN,
            )
        )
        await uow.commit()
    return SeededSessions(family=family, root=first, leaf=second)


def create_invitation(tenant_id: TenantId, invited_by: UserId, **overrides: Any) -> Invitation:
    values: dict[str, Any] = {
        "id": uuid4(),
        "tenant_id": tenant_id,
        "email": f"invitee-{uuid4().hex[:8]}@example.com",
        "role": Role.MEMBER,
        "digest": opaque.mint(tenant_id, uuid4()).digest,
        "invited_by": invited_by,
        "created_at": WHEN,
        "expires_at": WHEN + timedelta(days=7),
    }
    return Invitation(**(values | overrides))
