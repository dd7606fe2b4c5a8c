"""``/api/v1/me`` and ``/api/v1/tenants/current``: who is signed in, and where; and erasing
oneself (``DELETE /api/v1/me``)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Router, delete, get
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from application.compliance.delete_tenant import DeleteTenant
from application.compliance.erase_person import EraseAccount, EraseAccountCommand
from application.identity.show_profile import ShowProfile, ShowTenant
from application.shared.actor import Actor
from domain.identity.model import Role
from domain.shared.secret import Secret
from entrypoints.container import Application
from entrypoints.http.auth import requires_actor, requires_role
from entrypoints.http.controllers.identity_schemas import (
    EraseAccountBody,
    ProfileView,
    TenantChoice,
    TenantView,
    UserView,
)
from entrypoints.http.controllers.tenant_deletion import (
    DeleteTenantBody,
    TenantDeletionView,
    request_deletion,
)
from entrypoints.http.di import provide
from entrypoints.http.problems import BEARER_REQUIRED, problems
from entrypoints.identity_wiring import development_outbox


class MeController(Controller):
    tags = ["Account"]
    guards = [requires_actor]
    security = BEARER_REQUIRED

    @get("/me", responses=problems(401, 404))
    async def me(
        self,
        actor: NamedDependency[Actor],
        show_profile: NamedDependency[ShowProfile],
        email_outbox: NamedDependency[str | None],
    ) -> ProfileView:
        """You (with whether your email address is verified), the tenant this session acts
        in, and the other tenants you may switch to."""
        profile = await show_profile.execute(actor)
        return ProfileView(
            user=UserView(
                id=profile.user_id,
                email=profile.email,
                name=profile.name,
                email_verified=profile.email_verified_at is not None,
                email_verified_at=profile.email_verified_at,
            ),
            email_outbox=email_outbox,
            tenant=TenantView.of(profile.tenant),
            role=profile.role,
            tenants=[
                TenantChoice(tenant_id=m.tenant_id, name=m.tenant_name, role=m.role)
                for m in profile.tenants
            ],
        )

    @delete("/me", status_code=HTTP_204_NO_CONTENT, responses=problems(401, 403, 409, 429, 503))
    async def erase(
        self,
        data: JSONBody[EraseAccountBody],
        actor: NamedDependency[Actor],
        erase_account: NamedDependency[EraseAccount],
    ) -> None:
        """Erase your account (GDPR Art. 17), confirmed with your password: your grants go
        back to the providers, your records, sessions and account are deleted, and records of
        shared sources keep you only under a pseudonym. A tenant's only owner hands it over,
        or deletes it, first (409 ``compliance.last_owner``)."""
        await erase_account.execute(actor, EraseAccountCommand(password=Secret(data.password)))

    @get("/tenants/current", responses=problems(401, 404))
    async def current_tenant(
        self, actor: NamedDependency[Actor], show_tenant: NamedDependency[ShowTenant]
    ) -> TenantView:
        """The tenant this session acts in."""
        return TenantView.of(await show_tenant.execute(actor))

    @delete(
        "/tenants/current",
        status_code=HTTP_202_ACCEPTED,
        guards=[requires_role(Role.OWNER)],
        responses=problems(401, 403, 409, 422, 429, 503),
    )
    async def delete_tenant(
        self,
        data: JSONBody[DeleteTenantBody],
        actor: NamedDependency[Actor],
        delete_tenant: NamedDependency[DeleteTenant],
    ) -> TenantDeletionView:
        """Delete this tenant (owners, password and name typed back): read-only at once,
        purged after 30 days unless an owner restores it."""
        return await request_deletion(data, actor, delete_tenant)


def routes(container: Application) -> Router:
    identity: Any = container.use_cases.identity
    personal_data: Any = container.use_cases.personal_data
    outbox = development_outbox(container.settings())
    shown_outbox = str(outbox) if outbox is not None else None
    return Router(
        path="/api/v1",
        route_handlers=[MeController],
        dependencies={
            "show_profile": provide(identity.show_profile),
            "email_outbox": Provide(lambda: shown_outbox, sync_to_thread=False),
            "show_tenant": provide(identity.show_tenant),
            "erase_account": provide(personal_data.erase_account),
            "delete_tenant": provide(container.use_cases.tenant_deletion.delete_tenant),  # type: ignore[attr-defined]
        },
    )
