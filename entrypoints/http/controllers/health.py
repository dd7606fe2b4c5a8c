"""Liveness and readiness."""

from __future__ import annotations

from litestar import Controller, Router, get, head
from litestar.di import NamedDependency

from application.shared.check_readiness import CheckReadiness
from entrypoints.container import Application
from entrypoints.http.di import provide


class HealthController(Controller):
    path = "/"
    tags = ["Operations"]

    @get("/health", summary="Liveness: the process answers", cache=False)
    async def health(self) -> dict[str, str]:
        return {"status": "ok"}

    @get("/ready", summary="Readiness: database reachable and migrations at head")
    async def ready(self, check_readiness: NamedDependency[CheckReadiness]) -> dict[str, str]:
        readiness = await check_readiness.execute()
        return {"status": "ready", "database": readiness.detail}

    # Load balancers probe with HEAD: the same answers as GET, without a body.
    @head("/health", summary="Liveness, for probes that send HEAD", cache=False)
    async def health_head(self) -> None:
        return None

    @head("/ready", summary="Readiness, for probes that send HEAD")
    async def ready_head(self, check_readiness: NamedDependency[CheckReadiness]) -> None:
        await check_readiness.execute()


def routes(container: Application) -> Router:
    return Router(
        path="/",
        route_handlers=[HealthController],
        dependencies={"check_readiness": provide(container.use_cases.check_readiness)},
    )
