"""Unique marker strings inside every content field, so tests can prove none is ever stored."""

from __future__ import annotations

import random

PREFIX = "ATLAS-CANARY"


class Canaries:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self.values: list[str] = []
        self._seen: set[str] = set()

    def mark(self, field: str, text: str) -> str:
        """``text`` with a fresh canary for ``field`` appended (``ATLAS-CANARY-<field>-<hex>``)."""
        value = f"{PREFIX}-{field}-{self._rng.getrandbits(48):012x}"
        while value in self._seen:  # 48 random bits repeat once in millions of draws
            value = f"{PREFIX}-{field}-{self._rng.getrandbits(48):012x}"
        self._seen.add(value)
        self.values.append(value)
        return f"{text} [{value}]"
