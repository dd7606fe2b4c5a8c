"""A fast, transparent password hasher for tests, with the real one's rules and a spy.

Hashes look like ``fake$<scheme>$<cost>$<password>`` so a test can see what was stored and
whether it would be rehashed; it refuses passwords over 72 bytes like bcrypt 5 does, so a use
case that forgets the length rule fails loudly in tests too.
"""

from __future__ import annotations

import hmac

from application.identity.ports import PasswordHasher
from domain.identity.errors import PasswordCheckBusy
from domain.identity.password import MAX_PASSWORD_BYTES
from domain.shared.secret import Secret

DUMMY = "fake$dummy"


class FakePasswordHasher(PasswordHasher):
    def __init__(self, scheme: str = "bcrypt", cost: int = 12) -> None:
        self.scheme, self.cost = scheme, cost
        self.verifications: list[str] = []  # the stored hash each check ran against
        self.hashes = 0
        self.busy = False  # as the real pool answers when saturated: PasswordCheckBusy

    def _prefix(self) -> str:
        return f"fake${self.scheme}${self.cost}$"

    async def hash(self, password: Secret[str]) -> Secret[str]:
        self._refuse_when_busy()
        self._refuse_long(password)
        self.hashes += 1
        return Secret(self._prefix() + password.reveal())

    async def verify(self, password: Secret[str], stored: Secret[str] | None) -> bool:
        self._refuse_when_busy()
        self._refuse_long(password)
        target = stored.reveal() if stored is not None else DUMMY
        self.verifications.append(target)
        _, _, _, expected = [*target.split("$", 3), "", "", ""][:4]
        matched = hmac.compare_digest(expected.encode(), password.reveal().encode())
        return stored is not None and target.startswith("fake$") and matched

    def needs_rehash(self, stored: Secret[str]) -> bool:
        return not stored.reveal().startswith(self._prefix())

    def describe(self) -> dict[str, str | int]:
        return {"algorithm": self.scheme, "cost": self.cost}

    def _refuse_when_busy(self) -> None:
        if self.busy:
            raise PasswordCheckBusy(retry_after=1)

    @staticmethod
    def _refuse_long(password: Secret[str]) -> None:
        if len(password.reveal().encode()) > MAX_PASSWORD_BYTES:
            raise ValueError("password cannot be longer than 72 bytes")
