"""Originals on demand over HTTP: a record's original, fetched live from its provider.

The answer is ``{"provider", "source_id", "kind", "original"}`` where ``original`` is the
provider's JSON exactly as it came (its bytes are spliced in, never decoded and re-encoded).
``Cache-Control: no-store``: nothing between the provider and the member keeps a copy.
"""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, Response, Router, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from application.graph.fetch_original import FetchOriginal
from application.shared.actor import Actor
from domain.graph.originals import Original
from entrypoints.container import Application
from entrypoints.http.auth import requires_actor
from entrypoints.http.di import provide
from entrypoints.http.problems import BEARER_REQUIRED, problems

_encode = msgspec.json.Encoder().encode
ANSWERS = problems(401, 404, 409, 503)


class OriginalController(Controller):
    path = "/"
    tags = ["Graph"]
    guards = [requires_actor]
    security = BEARER_REQUIRED

    @get("/activities/{activity_id:uuid}/original", summary="An activity's original, live "
         "from its provider (never stored)", responses=ANSWERS)  # fmt: skip
    async def activity(
        self, *, actor: NamedDependency[Actor], fetch_original: NamedDependency[FetchOriginal],
        activity_id: FromPath[UUID],
    ) -> Response[bytes]:  # fmt: skip
        return _answer(await fetch_original.execute(actor, "activity", activity_id))

    @get("/entities/{entity_id:uuid}/original", summary="An entity's original, live from its "
         "provider (never stored)", responses=ANSWERS)  # fmt: skip
    async def entity(
        self, *, actor: NamedDependency[Actor], fetch_original: NamedDependency[FetchOriginal],
        entity_id: FromPath[UUID],
    ) -> Response[bytes]:  # fmt: skip
        return _answer(await fetch_original.execute(actor, "entity", entity_id))


def _answer(original: Original) -> Response[bytes]:
    head = {"provider": original.provider, "source_id": original.source_id, "kind": original.kind}
    body = _encode(head)[:-1] + b',"original":' + original.content.reveal() + b"}"
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})


def routes(container: Application) -> Router:
    return Router(
        path="/api/v1/graph",
        route_handlers=[OriginalController],
        dependencies={"fetch_original": provide(container.use_cases.fetch_original)},
    )
