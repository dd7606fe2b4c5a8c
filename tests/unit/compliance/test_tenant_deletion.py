"""Tenant deletion's use cases on the fakes: who may delete, what must be typed, when the purge
may run, and what a restore undoes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.fakes.tenant_deletion import DeletionTables
from application.compliance.delete_tenant import DeleteTenantCommand
from application.identity.log_in import LogInCommand
from application.identity.sessions import Client
from application.identity.sign_up import SignUpCommand
from application.shared.actor import Actor
from domain.compliance.tenant_deletion import (
    GRACE,
    TenantNameMismatch,
    TenantNotPendingDeletion,
    TenantPendingDeletion,
    TenantPurgeDue,
)
from domain.identity.errors import ReauthenticationFailed, RoleRequired
from domain.identity.model import Role
from domain.shared.secret import Secret
from entrypoints.container import Application
from entrypoints.http.di import resolve
from tests.e2e.harness import build, harness_settings

pytestmark = pytest.mark.unit

PASSWORD = Secret("correct horse battery staple")
NAME = "Acme Deletions"
EMAIL = "owner@example.com"


@pytest.fixture
async def world(tmp_path: Path) -> tuple[Application, Actor]:
    _, container = build(harness_settings(tmp_path))
    sign_up = await resolve(container.use_cases.identity.sign_up)  # type: ignore[attr-defined]
    command = SignUpCommand(email=EMAIL, password=PASSWORD, name="Owner", organisation=NAME)
    pair = await sign_up.execute(command, Client())
    return container, pair.actor


async def _use(container: Application, name: str) -> Any:
    return await resolve(getattr(container.use_cases.tenant_deletion, name))  # type: ignore[attr-defined]


def _pending(container: Application) -> dict[Any, Any]:
    return container.adapters.store().tables.of(DeletionTables).pending  # type: ignore[no-any-return]


async def test_an_owner_who_types_the_name_back_makes_the_tenant_pending_for_the_grace(
    world: tuple[Application, Actor],
) -> None:
    container, owner = world
    sut = await _use(container, "delete_tenant")

    pending = await sut.execute(owner, DeleteTenantCommand(password=PASSWORD, confirm_name=NAME))

    assert pending.purge_after - pending.requested_at == GRACE == timedelta(days=30)
    assert _pending(container) == {owner.tenant_id: pending}


@pytest.mark.parametrize(
    ("role", "password", "name", "error"),
    [
        (Role.ADMIN, PASSWORD, NAME, RoleRequired),
        (Role.OWNER, Secret("not the password at all"), NAME, ReauthenticationFailed),
        (Role.OWNER, PASSWORD, "Acme", TenantNameMismatch),
    ],
)
async def test_anything_less_changes_nothing(
    world: tuple[Application, Actor], role: Role, password: Secret[str], name: str, error: type
) -> None:
    container, owner = world
    actor = Actor(
        tenant_id=owner.tenant_id, user_id=owner.user_id, role=role, session_id=owner.session_id
    )
    sut = await _use(container, "delete_tenant")

    with pytest.raises(error):
        await sut.execute(actor, DeleteTenantCommand(password=password, confirm_name=name))

    assert _pending(container) == {}


async def test_a_second_request_names_the_first_ones_purge_date(
    world: tuple[Application, Actor],
) -> None:
    container, owner = world
    sut = await _use(container, "delete_tenant")
    command = DeleteTenantCommand(password=PASSWORD, confirm_name=NAME)
    first = await sut.execute(owner, command)

    with pytest.raises(TenantPendingDeletion) as again:
        await sut.execute(owner, command)

    assert again.value.details["purge_after"]
    assert first.purge_after.date().isoformat() in again.value.message


async def test_the_purge_waits_for_the_grace_and_a_restore_is_refused_after_it(
    world: tuple[Application, Actor],
) -> None:
    container, owner = world
    await (await _use(container, "delete_tenant")).execute(
        owner, DeleteTenantCommand(password=PASSWORD, confirm_name=NAME)
    )
    purge, restore = await _use(container, "purge_tenants"), await _use(container, "restore_tenant")
    clock = container.adapters.clock()

    during = await purge.execute()
    clock.advance(GRACE + timedelta(seconds=1))
    log_in = await resolve(container.use_cases.identity.log_in)  # type: ignore[attr-defined]
    again = await log_in.execute(LogInCommand(email=EMAIL, password=PASSWORD), Client())
    with pytest.raises(TenantPurgeDue):
        await restore.execute(again.actor, PASSWORD)
    after = await purge.execute()

    assert during == []
    assert [r.tenant_id for r in after] == [owner.tenant_id]
    assert _pending(container) == {}


async def test_a_restore_in_the_grace_ends_the_pending_state_and_only_then(
    world: tuple[Application, Actor],
) -> None:
    container, owner = world
    restore = await _use(container, "restore_tenant")
    with pytest.raises(TenantNotPendingDeletion):
        await restore.execute(owner, PASSWORD)
    await (await _use(container, "delete_tenant")).execute(
        owner, DeleteTenantCommand(password=PASSWORD, confirm_name=NAME)
    )

    await restore.execute(owner, PASSWORD)

    assert _pending(container) == {}
    assert await (await _use(container, "purge_tenants")).execute() == []
