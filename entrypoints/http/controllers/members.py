"""``/api/v1/tenants/current/members`` and ``…/invitations``: who belongs to this tenant.

Anyone in the tenant may list and look up members; owners and admins invite, change roles and
remove. A member id of another tenant is a 404, like an id that never existed.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Router, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from application.identity.invitations import (
    InviteCommand,
    InviteMember,
    ListInvitations,
    WithdrawInvitation,
)
from application.identity.members import ChangeMemberRole, ListMembers, RemoveMember, ShowMember
from application.shared.actor import Actor
from domain.identity.model import Role
from domain.shared.ids import UserId
from entrypoints.container import Application
from entrypoints.http.auth import requires_actor, requires_role
from entrypoints.http.controllers.identity_schemas import (
    InvitationView,
    InviteBody,
    MemberView,
    RoleBody,
)
from entrypoints.http.di import provide
from entrypoints.http.problems import BEARER_REQUIRED, problems

managers_only = requires_role(Role.OWNER, Role.ADMIN)


class MembersController(Controller):
    path = "/tenants/current/members"
    tags = ["Members"]
    guards = [requires_actor]
    security = BEARER_REQUIRED

    @get("/", responses=problems(401))
    async def list_members(
        self, actor: NamedDependency[Actor], list_members: NamedDependency[ListMembers]
    ) -> list[MemberView]:
        return [MemberView.of(m) for m in await list_members.execute(actor)]

    @get("/{user_id:uuid}", responses=problems(401, 404))
    async def show_member(
        self,
        user_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        show_member: NamedDependency[ShowMember],
    ) -> MemberView:
        return MemberView.of(await show_member.execute(actor, UserId(user_id)))

    @patch("/{user_id:uuid}", guards=[managers_only], responses=problems(401, 403, 404, 409))
    async def change_role(
        self,
        user_id: FromPath[UUID],
        data: JSONBody[RoleBody],
        actor: NamedDependency[Actor],
        change_member_role: NamedDependency[ChangeMemberRole],
    ) -> MemberView:
        """Change a member's role (only an owner grants or takes the owner role)."""
        return MemberView.of(await change_member_role.execute(actor, UserId(user_id), data.role))

    @delete(
        "/{user_id:uuid}",
        status_code=HTTP_204_NO_CONTENT,
        guards=[managers_only],
        responses=problems(401, 403, 404, 409),
    )
    async def remove_member(
        self,
        user_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        remove_member: NamedDependency[RemoveMember],
    ) -> None:
        """Remove someone from this tenant; their sessions here end."""
        await remove_member.execute(actor, UserId(user_id))


class InvitationsController(Controller):
    path = "/tenants/current/invitations"
    tags = ["Members"]
    guards = [requires_actor, managers_only]
    security = BEARER_REQUIRED

    @get("/", responses=problems(401, 403))
    async def list_invitations(
        self, actor: NamedDependency[Actor], list_invitations: NamedDependency[ListInvitations]
    ) -> list[InvitationView]:
        return [InvitationView.of(i) for i in await list_invitations.execute(actor)]

    @post("/", status_code=HTTP_201_CREATED, responses=problems(401, 403, 409, 422, 503))
    async def invite(
        self,
        data: JSONBody[InviteBody],
        actor: NamedDependency[Actor],
        invite_member: NamedDependency[InviteMember],
    ) -> InvitationView:
        """Email a single-use invitation, valid for 7 days."""
        command = InviteCommand(email=data.email, role=data.role)
        return InvitationView.of(await invite_member.execute(actor, command))

    @delete(
        "/{invitation_id:uuid}",
        status_code=HTTP_204_NO_CONTENT,
        responses=problems(401, 403, 404),
    )
    async def withdraw(
        self,
        invitation_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        withdraw_invitation: NamedDependency[WithdrawInvitation],
    ) -> None:
        await withdraw_invitation.execute(actor, invitation_id)


def routes(container: Application) -> Router:
    identity: Any = container.use_cases.identity
    return Router(
        path="/api/v1",
        route_handlers=[MembersController, InvitationsController],
        dependencies={
            "list_members": provide(identity.list_members),
            "show_member": provide(identity.show_member),
            "change_member_role": provide(identity.change_member_role),
            "remove_member": provide(identity.remove_member),
            "list_invitations": provide(identity.list_invitations),
            "invite_member": provide(identity.invite_member),
            "withdraw_invitation": provide(identity.withdraw_invitation),
        },
    )
