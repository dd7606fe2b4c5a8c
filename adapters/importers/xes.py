"""XES reader: each trace an object, each event an activity, parsed as the bytes arrive.

Expat is driven directly (no tree is built) and refuses any document type declaration as it
starts, before a single entity could be declared, let alone expanded (billion laughs,
external entities). Whole traces are emitted in blocks of columns (``TraceBlock``); nothing
here touches storage.
"""

from __future__ import annotations

import pyexpat
from typing import Any

from adapters.importers.xes_traces import Attributes, TraceColumns
from domain.graph.errors import (
    ImportForbiddenMarkup,
    ImportInvalidValue,
    ImportMalformed,
    ImportOverLimit,
)
from domain.graph.traces import TraceBlock

XES_NAMESPACE = "http://www.xes-standard.org/"
# A trace is held in memory until it closes: at most this many events, and elements of any
# kind (events, their attributes, whatever else is nested in the trace). Checked when a trace
# closes and after each piece fed, never per element (the hot path stays as it is): a trace
# may pass a limit by what one piece holds before it is refused.
MAX_TRACE_EVENTS = 100_000
MAX_TRACE_ELEMENTS = 1_000_000
VALUE_TAGS = frozenset({"string", "date", "int", "float", "boolean", "id"})


class XesReader:
    """A push parser: ``feed`` bytes, get the blocks completed so far; ``close`` at the end.

    Only element starts call Python: ends are merely counted (a list's ``append``, in C),
    which is all it takes to know each start's depth, and the depth says what an element
    is: the log (0), a trace (1), an event or a trace attribute (2), an event attribute (3).
    Anything deeper, or under anything else, is not part of the model. A trace is complete
    when the next element of its depth starts, or at the end of the log.
    """

    format = "xes"

    def __init__(self, scope: str, *, object_type: str = "case", batch_size: int = 20_000) -> None:
        self._batch_size = batch_size
        parser = pyexpat.ParserCreate()
        parser.ordered_attributes = True
        parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._refuse_markup
        parser.EntityDeclHandler = self._refuse_markup
        parser.ExternalEntityRefHandler = self._refuse_external
        parser.StartElementHandler = self._start
        self._ends: list[str] = []
        parser.EndElementHandler = self._ends.append
        self._parser = parser
        self._root: str | None = None
        self._started = self._ended = 0  # elements, the ends counted up to the last feed
        self._trace: Attributes | None = None
        self._event: Attributes | None = None
        self._trace_line = self._trace_first = 0
        self._trace_events: list[tuple[int, Attributes]] = []
        self._columns = TraceColumns(scope, object_type)
        self._ready: list[TraceBlock] = []
        self.events = 0

    def feed(self, chunk: bytes) -> list[TraceBlock]:
        self._parse(chunk, final=False)
        ready, self._ready = self._ready, []
        return ready

    def close(self) -> list[TraceBlock]:
        self._parse(b"", final=True)
        if self._root is None:
            raise ImportMalformed("The file is empty.")
        self._close_trace()
        self._flush()
        ready, self._ready = self._ready, []
        return ready

    def _parse(self, data: bytes, *, final: bool) -> None:
        try:
            self._parser.Parse(data, final)
        except pyexpat.ExpatError as error:
            raise ImportMalformed(
                "The XML is not well-formed or is truncated.",
                line=error.lineno,
                column=error.offset,
                reason=pyexpat.errors.messages[error.code],
            ) from None
        except LookupError:  # the XML declaration names an encoding Python does not know
            raise ImportMalformed("The XML declares an unknown encoding.", line=1) from None
        except ValueError as error:  # expat reads no multi-byte encoding but UTF-8 and UTF-16
            if "encoding" not in str(error):
                raise
            raise ImportMalformed("The XML declares an unsupported encoding.", line=1) from None
        self._ended += len(self._ends)
        self._ends.clear()
        if self._trace is not None:
            self._check_trace()

    def _check_trace(self) -> None:
        events, elements = len(self._trace_events), self._started - self._trace_first
        if events > MAX_TRACE_EVENTS or elements > MAX_TRACE_ELEMENTS:
            limit, what = (
                (MAX_TRACE_EVENTS, "events")
                if events > MAX_TRACE_EVENTS
                else (MAX_TRACE_ELEMENTS, "elements")
            )
            raise ImportOverLimit(
                f"A trace holds more {what} than an import accepts.",
                line=self._trace_line,
                element="trace",
                limit=limit,
            )

    def _refuse_markup(self, *_: Any) -> None:
        raise ImportForbiddenMarkup(line=self._parser.CurrentLineNumber)

    def _refuse_external(self, *_: Any) -> int:
        raise ImportForbiddenMarkup(line=self._parser.CurrentLineNumber)

    def _start(self, name: str, attrs: list[str]) -> None:
        depth = self._started - self._ended - len(self._ends)
        self._started += 1
        if depth == 3:  # the hot path: an event's attribute, almost always in this shape
            if self._event is not None and name in VALUE_TAGS:
                if len(attrs) == 4 and attrs[0] == "key" and attrs[2] == "value":
                    self._event[attrs[1]] = (name, attrs[3])
                else:
                    self._attribute(self._event, name, attrs)
        elif depth == 2:
            self._trace_child(name, attrs)
        elif depth == 1:
            self._close_trace()
            if name == "trace":
                self._trace, self._trace_line = {}, self._parser.CurrentLineNumber
                self._trace_first = self._started
        elif depth == 0:
            self._open_log(name, attrs)

    def _trace_child(self, name: str, attrs: list[str]) -> None:
        self._event = None
        if self._trace is None:
            return  # under extensions, globals, classifiers, log attributes
        if name == "event":
            self._event = {}
            self._trace_events.append((self._parser.CurrentLineNumber, self._event))
            self.events += 1
        elif name in VALUE_TAGS:
            self._attribute(self._trace, name, attrs)

    @staticmethod
    def _attribute(target: Attributes, tag: str, attrs: list[str]) -> None:
        key = value = None
        for i in range(0, len(attrs) - 1, 2):
            if attrs[i] == "key":
                key = attrs[i + 1]
            elif attrs[i] == "value":
                value = attrs[i + 1]
        if key is not None and value is not None:
            target[key] = (tag, value)

    def _open_log(self, name: str, attrs: list[str]) -> None:
        pairs = dict(zip(attrs[::2], attrs[1::2], strict=False))
        if name != "log" or (pairs.get("xmlns") != XES_NAMESPACE and "xes.version" not in pairs):
            raise ImportInvalidValue("The file is not an XES log.", line=1, element=name)
        self._root = name

    def _close_trace(self) -> None:
        if self._trace is None:
            return
        self._check_trace()
        self._columns.add(self._trace, self._trace_line, self._trace_events)
        self._trace, self._event, self._trace_events = None, None, []
        if self._columns.events >= self._batch_size:
            self._flush()

    def _flush(self) -> None:
        block = self._columns.block()
        if block is not None:
            self._ready.append(block)
