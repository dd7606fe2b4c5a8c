"""How many imports, or exports, one process runs at once: a fixed number, the next refused.

Each import spools its upload to disk and holds one transaction (and the tenant's writer lock)
to its end; each export spools the graph. Past the limit a request is refused at once with a
503 and Retry-After instead of queueing: a queue would hold the upload, or the connection,
anyway. The count is per process and needs no lock: taking and freeing a slot never awaits.
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

    def __init__(self, slots: Slots) -> None:
        self._slots: Slots | None = slots

    def release(self) -> None:
        if self._slots is not None:
            self._slots.free += 1
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

    def take(self) -> Slot:
        """A free slot, or the ``busy`` error (503 with Retry-After) when none is."""
        if self.free <= 0:
            raise self._busy()
        self.free -= 1
        return Slot(self)
