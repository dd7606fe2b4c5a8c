"""A ZIP archive written as a stream of bytes from a stream of files, each whole or streamed.

``zipfile`` writes to any object with ``write``: given one without ``tell`` it writes a
streamable archive (sizes after each file's data), so the bytes can be handed on as they come
and no file, however large, is held whole.
"""

from __future__ import annotations

import zipfile
from collections.abc import AsyncIterator

from application.compliance.personal_export import ExportFile


class _Pipe:
    """Collects what ``zipfile`` writes until it is taken."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the chunks wait to be taken."""

    def close(self) -> None:
        """Nothing to close: what is left is taken after the archive ends."""

    def take(self) -> bytes:
        taken, self._chunks = b"".join(self._chunks), []
        return taken


async def zipped(files: AsyncIterator[ExportFile]) -> AsyncIterator[bytes]:
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        async for name, content in files:
            with archive.open(name, mode="w", force_zip64=True) as entry:
                if isinstance(content, bytes):
                    entry.write(content)
                else:
                    async for chunk in content:
                        entry.write(chunk)
                        yield pipe.take()
            yield pipe.take()
    yield pipe.take()
