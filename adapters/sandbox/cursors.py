"""Opaque pagination and sync cursors the emulated providers hand out, and their expiry."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from application.shared.ports import Clock


@dataclass
class _Cursor:
    provider: str
    kind: str
    payload: Any
    issued_at: datetime
    epoch: int
    max_age: timedelta | None


class CursorBook:
    """Cursors live server-side; a client holds only a random handle.

    ``expire(provider)`` makes every cursor handed out so far stale at once, which is how the
    control API reproduces "your sync token is too old" on demand.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._cursors: dict[str, _Cursor] = {}
        self._epochs: dict[str, int] = {}

    def issue(
        self, provider: str, kind: str, payload: Any, *, max_age: timedelta | None = None
    ) -> str:
        handle = secrets.token_urlsafe(18)
        with self._lock:
            epoch = self._epochs.get(provider, 0)
            self._cursors[handle] = _Cursor(
                provider, kind, payload, self._clock.now(), epoch, max_age
            )
        return handle

    def resolve(self, provider: str, kind: str, handle: str) -> tuple[str, Any]:
        """``("ok", payload)``, ``("unknown", None)`` or ``("expired", None)``."""
        with self._lock:
            cursor = self._cursors.get(handle)
            epoch = self._epochs.get(provider, 0)
        if cursor is None or cursor.provider != provider or cursor.kind != kind:
            return "unknown", None
        too_old = (
            cursor.max_age is not None and self._clock.now() - cursor.issued_at > cursor.max_age
        )
        if cursor.epoch != epoch or too_old:
            return "expired", None
        return "ok", cursor.payload

    def expire(self, provider: str) -> None:
        with self._lock:
            self._epochs[provider] = self._epochs.get(provider, 0) + 1

    def epoch(self, provider: str) -> int:
        with self._lock:
            return self._epochs.get(provider, 0)
