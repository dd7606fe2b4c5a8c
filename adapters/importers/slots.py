"""How many imports, or exports, one process runs at once: a fixed number, the next refused.

Each import spools its upload to disk and holds one transaction (and the tenant's writer lock)
to its end; each export spools the graph. Past the limit a request is refused at once with a
503 and Retry-After instead of queueing: a queue would hold the upload, or the connection,
anyway. The count is per process and needs no lock: taking and freeing a slot never awaits.

One tenant may hold at most its share (half the slots, at least one): a tenant whose clients
are slow, or many, cannot take every slot and leave other tenants only 503s.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from domain.graph.errors import ExportsBusy, ImportsBusy
from domain.shared.errors import Unavailable

CONCURRENT_IMPORTS = 2
CONCURRENT_EXPORTS = 4


class Slot:
    """A taken slot; freed once, by ``release`` or on leaving its ``with`` block."""

    def __init__(self, slots: Slots, owner: str | None) -> None:
        self._slots: Slots | None = slots
        self._owner = owner

    def release(self) -> None:
        if self._slots is not None:
            self._slots.give_back(self._owner)
            self._slots = None

    def __enter__(self) -> Slot:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


class Slots:
    def __init__(self, limit: int, busy: Callable[[], Unavailable]) -> None:
        self.limit, self.free, self._busy = limit, limit, busy
        self.share = max(1, limit // 2)
        self._held: dict[str, int] = {}

    @classmethod
    def for_imports(cls) -> Slots:
        return cls(
            CONCURRENT_IMPORTS, lambda: ImportsBusy(retry_after=30, limit=CONCURRENT_IMPORTS)
        )

    @classmethod
    def for_exports(cls) -> Slots:
        return cls(
            CONCURRENT_EXPORTS, lambda: ExportsBusy(retry_after=10, limit=CONCURRENT_EXPORTS)
        )

    def take(self, owner: str | None = None) -> Slot:
        """A free slot, or the ``busy`` error (503 with Retry-After) when none is, or when
        ``owner`` (a tenant) already holds its share."""
        if self.free <= 0 or (owner is not None and self._held.get(owner, 0) >= self.share):
            raise self._busy()
        self.free -= 1
        if owner is not None:
            self._held[owner] = self._held.get(owner, 0) + 1
        return Slot(self, owner)

    def held_by(self, owner: str) -> int:
        return self._held.get(owner, 0)

    def give_back(self, owner: str | None) -> None:
        self.free += 1
        if owner is not None:
            left = self._held.pop(owner, 0) - 1
            if left > 0:
                self._held[owner] = left
