"""Files to import: a local file (CLI), or an upload spooled to a private temporary file.

The spool enforces the size limit while it streams, and the SHA-256 it computes on the way
becomes the import's scope before a single record is parsed.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from domain.graph.errors import ImportTooLarge

CHUNK = 1 << 20


class LocalFile:
    """An ``ImportSource`` over a file on disk."""

    def __init__(self, path: Path, *, name: str, size: int, sha256: str) -> None:
        self.path, self.name, self.size, self.sha256 = path, name, size, sha256

    @classmethod
    async def of(cls, path: Path) -> LocalFile:
        digest, size = await asyncio.to_thread(_digest, path)
        return cls(path, name=path.name, size=size, sha256=digest)

    async def chunks(self) -> AsyncIterator[bytes]:
        handle = await asyncio.to_thread(self.path.open, "rb")
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK):
                yield chunk
        finally:
            handle.close()


def _digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


@asynccontextmanager
async def spooled(
    stream: AsyncIterator[bytes], *, name: str, limit: int
) -> AsyncIterator[LocalFile]:
    """Write ``stream`` to a private temporary file, refusing it once it passes ``limit``."""
    descriptor, raw = tempfile.mkstemp(prefix="atlas-import-")  # mode 0600, unguessable name
    path = Path(raw)
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(descriptor, "wb") as handle:
            async for chunk in stream:
                size += len(chunk)
                if size > limit:
                    raise ImportTooLarge(limit=limit)
                digest.update(chunk)
                await asyncio.to_thread(handle.write, chunk)
        yield LocalFile(path, name=name, size=size, sha256=digest.hexdigest())
    finally:
        await asyncio.to_thread(path.unlink, missing_ok=True)
