"""``/api/v1/auth/sessions``: your own sign-in sessions in this tenant (the Account screen)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.status_codes import HTTP_204_NO_CONTENT

from application.identity.log_out import LogOut
from application.identity.session_list import ListSessions
from application.shared.actor import Actor
from entrypoints.http.auth import requires_actor
from entrypoints.http.controllers.identity_schemas import SessionView
from entrypoints.http.problems import BEARER_REQUIRED, problems


class SessionsController(Controller):
    path = "/auth/sessions"
    tags = ["Authentication"]
    guards = [requires_actor]
    security = BEARER_REQUIRED

    @get("/", responses=problems(401))
    async def list_sessions(
        self, actor: NamedDependency[Actor], list_sessions: NamedDependency[ListSessions]
    ) -> list[SessionView]:
        """Your live sessions in this tenant, oldest first; ``current`` is this one."""
        return [SessionView.of(s) for s in await list_sessions.execute(actor)]

    @delete("/{session_id:uuid}", status_code=HTTP_204_NO_CONTENT, responses=problems(401, 404))
    async def end_session(
        self,
        session_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        log_out: NamedDependency[LogOut],
    ) -> None:
        """End one of your sessions (its refresh token stops working); 404 if it is not yours."""
        await log_out.end_session(actor, session_id)
