"""Counters tests read through ``GET /_control/stats``: events per provider and client."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class Stats:
    """Counts what happened (``refreshes``, ``family_revocations``, ...), never what was sent."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, str, str]] = Counter()
        self._lock = threading.Lock()

    def count(self, provider: str, client_id: str, event: str, n: int = 1) -> None:
        with self._lock:
            self._counts[(provider, client_id, event)] += n

    def get(self, provider: str, event: str, client_id: str | None = None) -> int:
        with self._lock:
            return sum(
                n
                for (p, c, e), n in self._counts.items()
                if p == provider and e == event and (client_id is None or c == client_id)
            )

    def snapshot(self) -> dict[str, Any]:
        """``{provider: {"total": {event: n}, "clients": {client_id: {event: n}}}}``."""
        with self._lock:
            items = list(self._counts.items())
        out: dict[str, Any] = {}
        for (provider, client_id, event), n in sorted(items):
            entry = out.setdefault(provider, {"total": {}, "clients": {}})
            entry["total"][event] = entry["total"].get(event, 0) + n
            entry["clients"].setdefault(client_id, {})[event] = n
        return out

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
