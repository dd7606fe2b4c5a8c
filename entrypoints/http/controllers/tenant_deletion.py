"""``DELETE /api/v1/tenants/current`` (mounted on ``me``'s controller) and ``POST …/restore``:
an owner deletes the tenant (30 days read-only and pending, then purged) or takes the deletion
back. Both re-authenticate."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from litestar import Controller, Router, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK
from msgspec import Struct

from application.compliance.delete_tenant import DeleteTenant, DeleteTenantCommand
from application.compliance.restore_tenant import RestoreTenant
from application.shared.actor import Actor
from domain.identity.model import Role
from domain.shared.secret import Secret
from entrypoints.container import Application
from entrypoints.http.auth import requires_actor, requires_role
from entrypoints.http.controllers.identity_schemas import Name, Password, _Redacted
from entrypoints.http.di import provide
from entrypoints.http.problems import BEARER_REQUIRED, problems


class DeleteTenantBody(_Redacted, frozen=True, kw_only=True, forbid_unknown_fields=True):
    password: Password
    confirm_name: Name  # the tenant's name, typed back


class RestoreTenantBody(_Redacted, frozen=True, kw_only=True, forbid_unknown_fields=True):
    password: Password


class TenantDeletionView(Struct, frozen=True, kw_only=True):
    status: Literal["active", "pending_deletion"]
    purge_after: datetime | None = None


async def request_deletion(
    data: DeleteTenantBody, actor: Actor, use_case: DeleteTenant
) -> TenantDeletionView:
    """``DELETE /api/v1/tenants/current`` lives on the profile's controller (one controller a
    path); this is its body."""
    command = DeleteTenantCommand(password=Secret(data.password), confirm_name=data.confirm_name)
    pending = await use_case.execute(actor, command)
    return TenantDeletionView(status="pending_deletion", purge_after=pending.purge_after)


class TenantDeletionController(Controller):
    path = "/tenants/current"
    tags = ["Account"]
    guards = [requires_actor, requires_role(Role.OWNER)]
    security = BEARER_REQUIRED

    @post("/restore", status_code=HTTP_200_OK, responses=problems(401, 403, 409, 429, 503))
    async def restore_tenant(
        self,
        data: JSONBody[RestoreTenantBody],
        actor: NamedDependency[Actor],
        restore_tenant: NamedDependency[RestoreTenant],
    ) -> TenantDeletionView:
        """Take a pending deletion back: the tenant is writable again."""
        await restore_tenant.execute(actor, Secret(data.password))
        return TenantDeletionView(status="active")


def routes(container: Application) -> Router:
    use_cases: Any = container.use_cases.tenant_deletion
    return Router(
        path="/api/v1",
        route_handlers=[TenantDeletionController],
        dependencies={
            "restore_tenant": provide(use_cases.restore_tenant),
        },
    )
