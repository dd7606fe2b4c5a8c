"""Valid, unique identity values; a test states only what it is about."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from application.identity.ports import IdentityUnitOfWork
from application.shared.scope import Scope
from domain.identity.model import Membership, Role, Tenant, User
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
    }
    return User(**(values | overrides))


def create_membership(tenant_id: TenantId, user_id: UserId, role: Role = Role.MEMBER) -> Membership:
    return Membership(tenant_id=tenant_id, user_id=user_id, role=role, created_at=WHEN)


async def seed_tenant_with_owner(uow_for: Any, *, members: int = 0) -> tuple[Tenant, list[User]]:
    """A tenant, its owner, and ``members`` more people, written as each would be at signup."""
    tenant, owner = create_tenant(), create_user()
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
