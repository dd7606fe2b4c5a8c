"""A database probe whose answer the test decides."""

from __future__ import annotations

from application.shared.ports import DatabaseProbe, Readiness


class FakeDatabaseProbe(DatabaseProbe):
    def __init__(self) -> None:
        self.readiness = Readiness(reachable=True, schema_current=True, detail="in memory")

    async def check(self) -> Readiness:
        return self.readiness
