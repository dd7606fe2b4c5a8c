"""An export written whole to a temporary file before its first byte is sent.

Reading the graph holds a transaction and a pooled connection. A client that downloads slowly
must not hold them too: twenty slow downloads would pin the whole pool, and every tenant's
requests would fail. So the export is read at the database's pace into a temporary file (in
memory up to ``IN_MEMORY``, on disk beyond, deleted when closed), the transaction ends, and
only then is the file streamed. A slot (``Slots``) is held from the first read to the last
byte sent, so that slow downloads cannot pile up spooled files either.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from typing import IO

from adapters.importers.slots import Slot, Slots

IN_MEMORY = 8 << 20
CHUNK = 1 << 20


class ExportSpool:
    def __init__(self, slots: Slots) -> None:
        self._slots = slots

    @classmethod
    def for_exports(cls) -> ExportSpool:
        return cls(Slots.for_exports())

    async def written(self, chunks: AsyncIterator[bytes], owner: str | None = None) -> SpooledBody:
        """Takes a slot (or refuses: 503), writes ``chunks`` to the end, returns the body.
        ``owner`` (the tenant) holds at most its share of the slots."""
        slot = self._slots.take(owner)
        spool = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115 - the body closes it
        try:
            async for chunk in chunks:
                await asyncio.to_thread(spool.write, chunk)
            spool.seek(0)
        except BaseException:
            spool.close()
            slot.release()
            raise
        return SpooledBody(spool, slot)


class SpooledBody:
    """The spooled export as a response body. ``aclose`` (run by the response once it is sent,
    or cut short by a disconnect) closes the file and frees the slot; so does collection, as
    a last resort should a response never finish."""

    def __init__(self, spool: IO[bytes], slot: Slot) -> None:
        self._spool, self._slot = spool, slot

    def __aiter__(self) -> SpooledBody:
        return self

    async def __anext__(self) -> bytes:
        chunk = b"" if self._spool.closed else await asyncio.to_thread(self._spool.read, CHUNK)
        if not chunk:
            await self.aclose()
            raise StopAsyncIteration
        return chunk

    async def aclose(self) -> None:
        self._close()

    def _close(self) -> None:
        self._spool.close()
        self._slot.release()

    def __del__(self) -> None:
        self._close()
