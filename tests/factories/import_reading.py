"""Feed bytes to an event-log reader the way an upload arrives, for the fuzzer and its replays.

The readers' documented refusals (``CLEAN_REFUSALS``) are what the HTTP layer answers with a
4xx and a stable code; any other exception out of a reader is a crash (it would be a 500).
"""

from __future__ import annotations

from collections.abc import Callable

from adapters.importers.formats import SniffingParser
from adapters.importers.ocel import OcelReader
from adapters.importers.xes import XesReader
from domain.graph.errors import ImportRefused, ImportTooLarge, UnsupportedFormat

CLEAN_REFUSALS = (ImportRefused, ImportTooLarge, UnsupportedFormat)
INFLATED_LIMIT = 4 << 20  # small, so a fuzzed gzip bomb is refused quickly


def _xes() -> XesReader:
    return XesReader("fuzz", object_type="case", batch_size=7)


def _ocel() -> OcelReader:
    return OcelReader("fuzz", batch_size=7, max_element=1 << 14)


def _upload() -> SniffingParser:
    return SniffingParser(scope="fuzz", object_type="case", max_inflated=INFLATED_LIMIT,
                          batch_size=7)  # fmt: skip


READERS: dict[str, Callable[[], XesReader | OcelReader | SniffingParser]] = {
    "xes": _xes,  # the XES reader alone
    "ocel": _ocel,  # the OCEL 2.0 JSON reader alone
    "upload": _upload,  # what an upload meets: gzip (streams.py), sniffing, then either reader
}


def read(target: str, data: bytes) -> int:
    """Feed ``data`` in pieces (the first byte picks their size, so incremental paths are
    exercised too) and close: the batches produced. Raises what the reader raises."""
    size = 1 + (data[0] % 64) * 17 if data else 1
    reader = READERS[target]()
    produced = 0
    for start in range(0, len(data), size):
        produced += len(reader.feed(data[start : start + size]))
    return produced + len(reader.close())
