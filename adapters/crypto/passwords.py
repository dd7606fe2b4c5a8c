"""Password hashing with bcrypt (default, cost ≥ 12) or argon2id, off the event loop.

Each hash or check runs in a small thread pool (bcrypt and argon2-cffi release the GIL) behind
a semaphore sized like the pool. A request that cannot get a slot within ``wait`` seconds gets
``PasswordCheckBusy`` (503 + Retry-After) instead of joining an unbounded queue (R2.3). The
verifier is chosen by the stored hash's prefix, so hashes of either scheme keep working after
the configuration changes, and ``needs_rehash`` tells sign-in to upgrade them (R2.1).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Literal, TypeVar

import argon2
import bcrypt

from application.identity.ports import PasswordHasher
from domain.identity.errors import PasswordCheckBusy
from domain.shared.secret import Secret

Scheme = Literal["bcrypt", "argon2id"]
Result = TypeVar("Result")

_BCRYPT_PREFIXES = ("$2b$", "$2a$", "$2y$")
_ARGON2ID_PREFIX = "$argon2id$"
_DUMMY_PASSWORD = b"a password nobody has: the cost of checking an unknown account"


class PasswordHashing(PasswordHasher):
    def __init__(
        self, *, scheme: Scheme, bcrypt_cost: int, concurrency: int, wait_seconds: float
    ) -> None:
        self._scheme, self._cost = scheme, bcrypt_cost
        self._argon2 = argon2.PasswordHasher()  # RFC 9106 low-memory profile: m=64 MiB, t=3, p=4
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="passwords")
        self._slots = asyncio.Semaphore(concurrency)
        self._wait = wait_seconds
        self._dummy: bytes | None = None
        self._gauge = threading.Lock()
        self.running = 0
        self.peak = 0  # the most hashes or checks ever in flight at once (tests assert on it)

    async def start(self) -> None:
        """Make the dummy hash now, so the first unknown account costs what the others do."""
        self._dummy = (await self.hash(Secret(_DUMMY_PASSWORD.decode()))).reveal().encode()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def hash(self, password: Secret[str]) -> Secret[str]:
        raw = password.reveal().encode("utf-8")
        if self._scheme == "argon2id":
            return Secret(await self._run(self._argon2.hash, raw))
        hashed = await self._run(lambda: bcrypt.hashpw(raw, bcrypt.gensalt(self._cost)))
        return Secret(hashed.decode("ascii"))

    async def verify(self, password: Secret[str], stored: Secret[str] | None) -> bool:
        raw = password.reveal().encode("utf-8")
        if stored is None:
            if self._dummy is None:
                await self.start()
            assert self._dummy is not None  # noqa: S101 - set by start()
            await self._run(self._check, raw, self._dummy.decode("ascii"))
            return False
        return await self._run(self._check, raw, stored.reveal())

    def needs_rehash(self, stored: Secret[str]) -> bool:
        value = stored.reveal()
        if self._scheme == "bcrypt":
            return not value.startswith("$2b$") or value[4:6] != f"{self._cost:02d}"
        if not value.startswith(_ARGON2ID_PREFIX):
            return True
        try:
            return self._argon2.check_needs_rehash(value)
        except argon2.exceptions.InvalidHashError:
            return True

    def describe(self) -> dict[str, str | int]:
        if self._scheme == "bcrypt":
            return {"algorithm": "bcrypt", "cost": self._cost}
        argon = self._argon2
        return {
            "algorithm": "argon2id",
            "memory_kib": argon.memory_cost,
            "time_cost": argon.time_cost,
            "parallelism": argon.parallelism,
        }

    def _check(self, raw: bytes, stored: str) -> bool:
        # Runs in the pool. A malformed or foreign hash is a failed check, never an error.
        if stored.startswith(_BCRYPT_PREFIXES):
            try:
                return bcrypt.checkpw(raw, stored.encode("ascii"))
            except ValueError:
                return False
        if stored.startswith(_ARGON2ID_PREFIX):
            try:
                return self._argon2.verify(stored, raw)
            except argon2.exceptions.Argon2Error:
                return False
        return False

    async def _run(self, work: Callable[..., Result], *args: object) -> Result:
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout=self._wait)
        except TimeoutError:
            raise PasswordCheckBusy(retry_after=max(1, round(self._wait))) from None
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._pool, self._measured, work, args)
        finally:
            self._slots.release()

    def _measured(self, work: Callable[..., Result], args: tuple[object, ...]) -> Result:
        with self._gauge:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            return work(*args)
        finally:
            with self._gauge:
                self.running -= 1


async def password_hashing(
    *, scheme: Scheme, bcrypt_cost: int, concurrency: int, wait_seconds: float
) -> AsyncIterator[PasswordHashing]:
    """A Resource for the container: started (dummy hash made) at start-up, pool closed after."""
    hashing = PasswordHashing(
        scheme=scheme, bcrypt_cost=bcrypt_cost, concurrency=concurrency, wait_seconds=wait_seconds
    )
    await hashing.start()
    try:
        yield hashing
    finally:
        hashing.close()
