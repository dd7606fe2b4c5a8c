"""Which endpoints were called: what the provider-fidelity checks hold to the endpoint registry
(``domain/integrations/endpoints.py``). Paths and methods only, never what was sent."""

from __future__ import annotations

import threading
from collections import Counter


class CallLog:
    def __init__(self) -> None:
        self._calls: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def record(self, method: str, path: str) -> None:
        with self._lock:
            self._calls[(method, path)] += 1

    def seen(self) -> set[tuple[str, str]]:
        """``{(method, path)}``, each path below the sandbox's root (``/google/gmail/v1/…``)."""
        with self._lock:
            return set(self._calls)

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
