"""The keyring: key versions derived once each from the master secret, and leased use counts.

Each version's key is derived once per process (PBKDF2 in a worker thread) and kept; nothing
is derived per value. Sealing draws on a *lease*: a block of the version's encryption counter
reserved in the store with one ``UPDATE … RETURNING``, then counted down in memory, so the
stored count is always an upper bound on what was sealed and costs one write per block. Blocks
grow with the sealing rate (one second's worth), and a lease is re-checked after
``lease_seconds``, which bounds how long a process keeps sealing under a version that another
process has rotated away from.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from adapters.crypto.kdf import Kdf, key_check, pbkdf2_sha256
from adapters.crypto.sealing_key import Lease, SealingKey
from application.shared.ports import Clock
from application.vault.ports import KeyRing, KeyUsageAlerts, KeyVersionRepository
from domain.shared.secret import Secret
from domain.vault.errors import (
    CredentialUnreadable,
    InvalidKdfIterations,
    KeyringMismatch,
    KeyringUnavailable,
    KeyVersionActive,
    KeyVersionNotFound,
)
from domain.vault.model import (
    ALERT_AT,
    DEFAULT_ITERATIONS,
    KDF,
    KDF_HASH,
    MIN_ITERATIONS,
    ROTATE_AT,
    SALT_BYTES,
    KeyState,
    KeyVersion,
)

log = logging.getLogger("atlas.vault")

_ATTEMPTS = 5


@dataclass(frozen=True)
class KeyringPolicy:
    iterations: int = DEFAULT_ITERATIONS  # for new versions
    lease_block: int = 1024  # the smallest block of encryptions reserved per store write
    max_lease_block: int = 65_536
    lease_seconds: float = 60.0  # then re-check which version seals
    derive_timeout: float = 30.0  # waiting longer than this for another derivation is "busy"


class Keyring(KeyRing):
    def __init__(
        self,
        master_secret: Secret[bytes],
        versions: KeyVersionRepository,
        clock: Clock,
        alerts: KeyUsageAlerts,
        *,
        policy: KeyringPolicy | None = None,
        kdf: Kdf = pbkdf2_sha256,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._master, self._store, self._clock = master_secret, versions, clock
        self._alerts, self._policy = alerts, policy or KeyringPolicy()
        self._kdf, self._monotonic = kdf, monotonic
        self._known: dict[int, KeyVersion] = {}
        self._keys: dict[int, SealingKey] = {}
        # Envelope header -> key, read by the vault on every open; only ever changed in place.
        self.openers: dict[bytes, SealingKey] = {}
        self._lease: Lease | None = None
        self._leasing = asyncio.Lock()
        self._deriving = asyncio.Lock()
        self._alerted: set[int] = set()

    async def start(self, *, derive: bool = True) -> None:
        """Create the first version if there is none; derive (and check) every usable one.

        Raises ``KeyringMismatch`` when the master secret does not derive a stored version.
        """
        await self._reload()
        if self._active() is None:
            async with self._leasing:
                await self._rotate_locked(reason="first start", iterations=None)
        if derive:
            for version in [v.version for v in self._known.values() if v.usable]:
                await self._key(version)

    # -- KeyRing port --------------------------------------------------------------------------

    async def versions(self) -> list[KeyVersion]:
        await self._reload()
        return sorted(self._known.values(), key=lambda v: v.version)

    async def rotate(self, *, iterations: int | None = None) -> KeyVersion:
        async with self._leasing:
            return await self._rotate_locked(reason="rotated by request", iterations=iterations)

    async def retire(self, version: int) -> KeyVersion:
        await self._reload()
        target = self._known.get(version)
        if target is None:
            raise KeyVersionNotFound(version=version)
        if target.state is KeyState.ACTIVE:
            raise KeyVersionActive(version=version)
        if target.state is KeyState.DECRYPT_ONLY:
            await self._store.retire(version, self._clock.now())
        await self._reload()
        return self._known[version]

    # -- what the vault draws on ---------------------------------------------------------------

    def take(self, count: int) -> SealingKey | None:
        """The sealing key for ``count`` values, if the current lease still covers them."""
        lease = self._lease
        if lease is None or lease.remaining < count or self._monotonic() >= lease.expires:
            return None
        lease.remaining -= count
        return lease.key

    async def sealing_key(self, count: int = 1) -> SealingKey:
        for _ in range(_ATTEMPTS):
            taken = self.take(count)
            if taken is not None:
                return taken
            await self._renew(count)
        raise KeyringUnavailable()

    async def opening_key(self, version: int) -> SealingKey:
        if version not in self._known:
            await self._reload()  # rotated by another process since we last looked
        known = self._known.get(version)
        if known is None or not known.usable:
            raise CredentialUnreadable()
        try:
            return await self._key(version)
        except KeyringMismatch:
            log.error("vault key version %d no longer derives from the master secret", version)
            raise CredentialUnreadable() from None

    # -- internals -----------------------------------------------------------------------------

    def _active(self) -> KeyVersion | None:
        return next((v for v in self._known.values() if v.state is KeyState.ACTIVE), None)

    async def _reload(self) -> None:
        self._known = {v.version: v for v in await self._store.all()}
        for version in list(self._keys):
            known = self._known.get(version)
            if known is None or not known.usable:  # retired: forget the key as well
                self.openers.pop(self._keys.pop(version).header, None)

    async def _renew(self, count: int) -> None:
        async with self._leasing:  # one store write at a time, however many seals wait
            lease, now = self._lease, self._monotonic()
            if lease is not None and lease.covers(count, now):
                return
            # Only the time ran out: keep the unspent block if its version still seals.
            if (
                lease is not None
                and lease.remaining >= count
                and await self._store.lease(lease.key.version, 0) is not None
            ):
                lease.expires = now + self._policy.lease_seconds
                return
            block = self._policy.lease_block
            if lease is not None:
                block = lease.next_block(now, smallest=block, largest=self._policy.max_lease_block)
            self._lease = None
            await self._lease_block(max(block, count))

    async def _lease_block(self, block: int) -> None:
        for _ in range(_ATTEMPTS):
            active = self._active()
            reached = None if active is None else await self._store.lease(active.version, block)
            if active is None or reached is None:  # another process rotated: look again
                await self._reload()
                continue
            if reached > ALERT_AT:
                self._alert_usage(active.version, reached)
            if reached > ROTATE_AT:
                reason = f"{reached:,} encryptions passed 2^31"
                await self._rotate_locked(reason=reason, iterations=None)
                continue
            now = self._monotonic()
            key = await self._key(active.version)
            self._lease = Lease(key, block, block, now, now + self._policy.lease_seconds)
            return
        raise KeyringUnavailable()

    def _alert_usage(self, version: int, reached: int) -> None:
        if version not in self._alerted:
            self._alerted.add(version)
            self._alerts.key_usage_high(version, reached)

    async def _rotate_locked(self, *, reason: str, iterations: int | None) -> KeyVersion:
        iterations = iterations or self._policy.iterations
        if iterations < MIN_ITERATIONS:
            raise InvalidKdfIterations(iterations=iterations)
        await self._reload()
        current = self._active()
        salt = os.urandom(SALT_BYTES)
        async with self._derivation():
            key = await self._derive(salt, iterations)
        now = self._clock.now()
        new = KeyVersion(
            version=max(self._known, default=0) + 1,
            iterations=iterations,
            salt=salt,
            key_check=key_check(key),
            state=KeyState.ACTIVE,
            encryption_count=0,
            created_at=now,
        )
        demote = current.version if current is not None else None
        promoted = await self._store.promote(new, demote=demote, at=now)
        self._lease = None
        await self._reload()
        if not promoted:  # another process rotated at the same moment: theirs seals
            winner = self._active()
            if winner is None:
                raise KeyringUnavailable()
            return winner
        self._remember(SealingKey(new.version, key))
        if current is not None:
            self._alerts.key_rotated(current.version, new.version, reason)
        return self._known[new.version]

    def _remember(self, key: SealingKey) -> SealingKey:
        self._keys[key.version] = key
        self.openers[key.header] = key
        return key

    async def _key(self, version: int) -> SealingKey:
        cached = self._keys.get(version)
        if cached is not None:
            return cached
        async with self._derivation():
            cached = self._keys.get(version)  # derived while we waited for the lock
            if cached is not None:
                return cached
            spec = self._known[version]
            if spec.kdf != KDF or spec.hash != KDF_HASH:
                raise KeyringMismatch(version=version)
            key = await self._derive(spec.salt, spec.iterations)
            if not hmac.compare_digest(key_check(key), spec.key_check):
                raise KeyringMismatch(version=version)
            return self._remember(SealingKey(version, key))

    async def _derive(self, salt: bytes, iterations: int) -> bytes:
        # PBKDF2 takes tens to hundreds of milliseconds: a worker thread keeps the loop serving.
        return await asyncio.to_thread(self._kdf, self._master.reveal(), salt, iterations)

    @asynccontextmanager
    async def _derivation(self) -> AsyncIterator[None]:
        try:
            await asyncio.wait_for(self._deriving.acquire(), self._policy.derive_timeout)
        except TimeoutError:
            raise KeyringUnavailable() from None
        try:
            yield
        finally:
            self._deriving.release()
