"""The use cases record what they do in the tenant's audit trail, on the fakes: who, what,
where, never a secret or someone else's address; nothing when the change itself fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.fakes.audit import AuditTables
from adapters.fakes.audit_trail import FakeAuditChains
from application.compliance.verify_audit import VerifyAuditTrail
from application.identity.accept_invitation import AcceptInvitationCommand
from application.identity.invitations import InviteCommand
from application.shared.request_context import RequestContext, in_request
from domain.compliance.audit import AuditRecord
from domain.identity.errors import InvalidCredentials, LastOwner
from domain.identity.model import Role
from domain.shared.ids import TenantId
from domain.shared.secret import Secret
from tests.factories.sessions import CLIENT, World, identity_world

pytestmark = pytest.mark.unit


def _trail(world: World, tenant: TenantId) -> list[AuditRecord]:
    return world.store.tables.of(AuditTables).events.get(tenant, [])


async def test_sign_ins_and_failures_are_recorded_in_each_of_the_accounts_tenants(
    tmp_path: Path,
) -> None:
    world = identity_world(tmp_path)
    first = await world.sign_up(email="ada@example.com", organisation="One")
    second = await world.sign_up(email="bo@example.com", organisation="Two")
    invite = InviteCommand(email="ada@example.com", role=Role.MEMBER)
    await world.identity.invite_member().execute(second.actor, invite)
    token = world.email.sent[-1].text.split("#token=")[1].split()[0]
    await world.identity.accept_invitation().execute(
        AcceptInvitationCommand(
            token=Secret(token), password=Secret("correct horse battery staple")
        ),
        CLIENT,
    )

    with in_request(RequestContext(request_id="r-1", address="198.51.100.4")):
        await world.log_in("ada@example.com")
        with pytest.raises(InvalidCredentials):
            await world.log_in("ada@example.com", password="wrong password entirely")
        with pytest.raises(InvalidCredentials):
            await world.log_in("nobody@example.com")

    one, two = _trail(world, first.actor.tenant_id), _trail(world, second.actor.tenant_id)
    ada = str(first.actor.user_id)
    failures = [
        (r.actor_id, r.outcome, r.address.value) for r in one + two if r.action.endswith("failed")
    ]
    assert failures == [(ada, "failure", "198.51.100.4")] * 2  # one per tenant, none for nobody
    assert (one[0].action, one[0].actor_id) == ("tenant.created", ada)  # its first owner
    assert [r.action for r in one][-2:] == ["auth.sign_in", "auth.sign_in_failed"]
    assert [r.action for r in two] == [
        "tenant.created",
        "invitation.created",
        "invitation.accepted",
        "auth.sign_in_failed",
    ]
    assert "ada@example.com" not in repr(one + two)


async def test_a_refused_change_records_nothing_and_a_made_one_records_its_roles(
    tmp_path: Path,
) -> None:
    world = identity_world(tmp_path)
    owner = await world.sign_up(email="ada@example.com")
    tenant = owner.actor.tenant_id
    before = list(_trail(world, tenant))

    with pytest.raises(LastOwner):
        await world.identity.change_member_role().execute(
            owner.actor,
            owner.actor.user_id,
            Role.MEMBER,  # the last owner cannot step down
        )
    assert _trail(world, tenant) == before

    invite = InviteCommand(email="bo@example.com", role=Role.MEMBER)
    await world.identity.invite_member().execute(owner.actor, invite)
    token = world.email.sent[-1].text.split("#token=")[1].split()[0]
    joined = await world.identity.accept_invitation().execute(
        AcceptInvitationCommand(token=Secret(token), password=Secret("another fine password"),
                                name="Bo"), CLIENT
    )  # fmt: skip
    await world.identity.change_member_role().execute(owner.actor, joined.actor.user_id, Role.ADMIN)

    last = _trail(world, tenant)[-1]
    assert (last.action, last.target_id, last.details) == (
        "member.role_changed",
        str(joined.actor.user_id),
        {"from": "member", "to": "admin"},
    )
    assert last.actor_type == "system"  # no request: recorded outside HTTP
    reports = await VerifyAuditTrail(FakeAuditChains(world.store)).execute(tenant)
    assert reports[0].broken is None
