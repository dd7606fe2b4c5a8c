"""A derived key as the vault uses it, and the lease that lets it seal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import final

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.vault import envelope


@final
class SealingKey:
    """One key version's AES-GCM key, with its envelope header and AAD suffix built once.

    Seal and open run per value; everything that depends only on the version is done here.
    """

    __slots__ = ("aes", "header", "suffix", "version")

    def __init__(self, version: int, key: bytes) -> None:
        self.version = version
        self.aes = AESGCM(key)
        self.header = envelope.header(version)
        self.suffix = b"%d" % version

    def __repr__(self) -> str:
        return f"SealingKey(version={self.version})"


@dataclass
class Lease:
    """Encryptions reserved in the store under one version, counted down in memory."""

    key: SealingKey
    granted: int
    remaining: int
    started: float
    expires: float

    def covers(self, count: int, now: float) -> bool:
        return self.remaining >= count and now < self.expires

    def next_block(self, now: float, *, smallest: int, largest: int) -> int:
        """About one second's worth of sealing at the rate this lease was used."""
        used = self.granted - self.remaining
        rate = used / max(now - self.started, 1e-3)
        return max(smallest, min(largest, int(rate)))
