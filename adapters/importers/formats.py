"""Recognise an upload by its first bytes (gzip, then XML or JSON) and hand it to its reader."""

from __future__ import annotations

from typing import Literal

from adapters.importers.ocel import OcelReader
from adapters.importers.streams import Inflater
from adapters.importers.xes import XesReader
from domain.graph.errors import ImportMalformed, UnsupportedFormat
from domain.graph.model import GraphBatch
from domain.graph.traces import TraceBlock

# The limits of one import: what may be uploaded, and what it may inflate to (gzip).
MAX_UPLOAD_BYTES = 512 << 20
MAX_INFLATED_BYTES = 1 << 30  # BPIC 2012 (262,200 events) inflates to 71 MiB

_BOM = "\ufeff".encode()
_LEADING = b" \t\r\n"


class SniffingParser:
    """XES (``<``) or OCEL 2.0 JSON (``{``), either of them gzipped or not."""

    def __init__(
        self, *, scope: str, object_type: str, max_inflated: int, batch_size: int = 20_000
    ) -> None:
        self._scope, self._object_type, self._batch_size = scope, object_type, batch_size
        self._inflater = Inflater(max_inflated)
        self._head = b""
        self._inner: XesReader | OcelReader | None = None

    @property
    def events(self) -> int:
        return self._inner.events if self._inner is not None else 0

    @property
    def format(self) -> Literal["xes", "ocel"] | None:
        if self._inner is None:
            return None
        return "xes" if isinstance(self._inner, XesReader) else "ocel"

    def feed(self, chunk: bytes) -> list[GraphBatch | TraceBlock]:
        return [batch for piece in self._inflater.feed(chunk) for batch in self._pass(piece)]

    def close(self) -> list[GraphBatch | TraceBlock]:
        ready = [batch for piece in self._inflater.close() for batch in self._pass(piece)]
        if self._inner is None:
            raise ImportMalformed("The file is empty.")
        return ready + list(self._inner.close())

    def _pass(self, piece: bytes) -> list[GraphBatch | TraceBlock]:
        if self._inner is None:
            self._head += piece
            start = self._head.removeprefix(_BOM).lstrip(_LEADING)
            if not start:
                return []
            if start.startswith(b"<"):
                self._inner = XesReader(
                    self._scope, object_type=self._object_type, batch_size=self._batch_size
                )
            elif start.startswith(b"{"):
                self._inner = OcelReader(self._scope, batch_size=self._batch_size)
            else:
                raise UnsupportedFormat()
            piece, self._head = self._head, b""
        return list(self._inner.feed(piece))
