"""Is Atlas ready to serve: store reachable and schema current."""

from __future__ import annotations

from typing import final

from application.shared.ports import DatabaseProbe, Readiness
from domain.shared.errors import Unavailable


class NotReady(Unavailable):
    code = "service.not_ready"
    default_message = "Atlas is not ready to serve requests yet."


@final
class CheckReadiness:
    def __init__(self, probe: DatabaseProbe) -> None:
        self._probe = probe

    async def execute(self) -> Readiness:
        readiness = await self._probe.check()
        if not readiness.ready:
            raise NotReady(detail=readiness.detail, retry_after=5)
        return readiness
