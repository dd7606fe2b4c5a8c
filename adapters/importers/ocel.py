"""OCEL 2.0 JSON reader, streamed: the top-level arrays are walked element by element.

The file is never loaded whole. A small scanner walks the outer object and its arrays; each
element is decoded on its own (C speed) once its bytes have all arrived, and validated into
typed records. An element larger than ``max_element`` is refused, so a hostile file cannot
make the reader buffer without bound.

Work stays linear in the input however it is chunked (attack findings, item 2: a run of spaces
cost quadratic time). Each step of the scanner reads one token; whitespace between tokens is
consumed for good before a step begins, so a step that must wait for more bytes goes back only
to the start of its token. A token still incomplete is tried again only once the bytes waiting
have doubled, and arriving chunks are joined only then: each byte is scanned a bounded number
of times. ``scanned`` counts the characters examined, for the tests that hold this.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any

import msgspec

from adapters.importers.ocel_records import SECTIONS, HeldTooMuch, OcelBatcher
from domain.graph.errors import (
    ImportInvalidValue,
    ImportMalformed,
    ImportOverLimit,
    ImportRefused,
    ImportTooLarge,
)
from domain.graph.model import GraphBatch
from domain.shared.strings import any_string_matches

_TOKEN = re.compile(r"[^ \t\r\n]")  # the first character that is not JSON whitespace
# A surrogate can only come from an escape ("\ud800"; the UTF-8 decoder refuses its bytes), and
# escapes of a pair decode to one character: one left in the value is unpaired, and neither
# UTF-8 (an id's fingerprint) nor PostgreSQL can hold it.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _NotJson(Exception):
    """NaN or Infinity: Python's JSON reader takes them, the JSON grammar does not."""


def _refuse_constant(name: str) -> None:
    raise _NotJson(name)


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


class _Wait(Exception):
    """More bytes are needed before the scanner can go on."""


class OcelReader:
    format = "ocel"

    def __init__(self, scope: str, *, batch_size: int = 20_000, max_element: int = 1 << 20) -> None:
        self._text = codecs.getincrementaldecoder("utf-8-sig")()
        self._buffer, self._pos, self._lines = "", 0, 0
        self._incoming: list[str] = []
        self._incoming_size = 0
        self._retry_at = 0  # the waiting bytes a retry needs (double the last attempt's)
        self._counted_pos = 0  # newlines are counted once, up to here
        self._counted_lines = 0
        self.scanned = 0
        self._final = False
        self._max_element = max_element
        self._state = "start"
        self._section: str | None = None
        self._key: Any = None
        self._index = 0
        self._batcher = OcelBatcher(scope, batch_size=batch_size)

    @property
    def events(self) -> int:
        return self._batcher.events

    def feed(self, chunk: bytes) -> list[GraphBatch]:
        try:
            text = self._text.decode(chunk)
        except UnicodeDecodeError:
            raise ImportMalformed("The file is not UTF-8.", line=self._line_at_end()) from None
        self._incoming.append(text)
        self._incoming_size += len(text)
        if len(self._buffer) - self._pos + self._incoming_size >= self._retry_at:
            self._run()
        return self._batcher.ready()

    def close(self) -> list[GraphBatch]:
        self._final = True
        self._run()
        if self._state != "end":
            raise ImportMalformed("The JSON ends before the log does.", line=self._line(self._pos))
        return self._batcher.finish()

    def _run(self) -> None:
        self._take_incoming()
        while True:
            self._skip_space(wait=False)  # between tokens: consumed for good
            saved = self._pos
            try:
                if not self._step():
                    break
            except _Wait:
                self._pos = saved  # a step reads one token, or nothing
                self._retry_at = 2 * (len(self._buffer) - self._pos) + 1
                break
        # Forget what has been consumed, keeping count of its lines for error messages.
        self._line(self._pos)
        self._lines += self._counted_lines
        self._counted_pos, self._counted_lines = 0, 0
        self._buffer, self._pos = self._buffer[self._pos :], 0

    def _take_incoming(self) -> None:
        # Between runs the buffer starts at the first byte not yet consumed (pos 0).
        if self._incoming:
            self._buffer += "".join(self._incoming)
            self._incoming, self._incoming_size = [], 0

    def _line(self, pos: int) -> int:
        """The 1-based line of ``pos``; counted forward only, so each newline is counted once."""
        if pos < self._counted_pos:  # an error pointing back: rare, count afresh
            return self._lines + self._buffer.count("\n", 0, pos) + 1
        self._counted_lines += self._buffer.count("\n", self._counted_pos, pos)
        self._counted_pos = pos
        return self._lines + self._counted_lines + 1

    def _line_at_end(self) -> int:
        return self._line(len(self._buffer))

    def _skip_space(self, *, wait: bool = True) -> str:
        buffer, start = self._buffer, self._pos
        found = _TOKEN.search(buffer, start)
        self._pos = found.start() if found else len(buffer)
        self.scanned += self._pos - start
        if found is None:
            if self._final or not wait:
                return ""
            raise _Wait
        return buffer[self._pos]

    def _expect(self, char: str) -> None:
        found = self._skip_space()
        if found != char:
            raise ImportMalformed(
                f"Expected {char!r} in the OCEL JSON.", line=self._line(self._pos), found=found
            )
        self._pos += 1

    def _value(self) -> Any:
        self._skip_space()
        self.scanned += len(self._buffer) - self._pos  # at most: the decoder stops at the end
        try:
            value, end = _DECODER.raw_decode(self._buffer, self._pos)
        except json.JSONDecodeError as error:
            if not self._final and len(self._buffer) - self._pos < self._max_element:
                raise _Wait from None
            if not self._final:
                raise ImportTooLarge(element=self._where(), limit=self._max_element) from None
            raise ImportMalformed(
                "The JSON is truncated or not valid.", line=self._line(error.pos), reason=error.msg
            ) from None
        except (_NotJson, RecursionError, ValueError) as error:
            # Each is final as soon as it is met, whatever of the element is still to come.
            raise self._unreadable(error) from None
        if end - self._pos > self._max_element:
            raise ImportTooLarge(element=self._where(), limit=self._max_element)
        if "\\u0000" in self._buffer[self._pos : end]:  # no store keeps NUL characters
            raise ImportInvalidValue(
                "A value contains a NUL character.",
                line=self._line(self._pos),
                element=self._where(),
            )
        if _SURROGATE_ESCAPE.search(self._buffer, self._pos, end) and any_string_matches(
            value, _SURROGATE
        ):
            raise ImportInvalidValue(
                "A value contains an unpaired surrogate (\\ud800 to \\udfff).",
                line=self._line(self._pos),
                element=self._where(),
            )
        self._pos = end
        return value

    def _unreadable(self, error: Exception) -> ImportRefused:
        line, element = self._line(self._pos), self._where()
        if isinstance(error, _NotJson):
            return ImportMalformed(f"{error} is not JSON.", line=line, element=element)
        if isinstance(error, RecursionError):
            return ImportMalformed("The JSON is nested too deeply.", line=line, element=element)
        # The one ValueError the decoder raises itself: an integer too long to convert.
        return ImportInvalidValue("A number has too many digits.", line=line, element=element)

    def _where(self) -> str:
        return f"{self._section}[{self._index}]" if self._section else "log"

    def _step(self) -> bool:
        """One token: a brace, a bracket, a comma, a colon, a key or an element."""
        state = self._state
        if state in ("first item", "item"):
            return self._item(state)
        if state in ("first key", "key"):
            return self._key_or_end(state)
        if state == "end":
            if self._skip_space():
                raise ImportMalformed("Data after the end of the log.", line=self._line(self._pos))
            return False
        self._single(state)
        return True

    def _single(self, state: str) -> None:
        if state == "start":
            self._expect("{")
            self._state = "first key"
        elif state == "key name":
            at = self._pos
            self._key = self._value()
            if not isinstance(self._key, str):
                raise ImportMalformed("Expected a key in the OCEL JSON.", line=self._line(at))
            self._state = "colon"
        elif state == "colon":
            self._expect(":")
            self._state = "section" if self._key in SECTIONS else "extension"
        elif state == "extension":
            self._value()  # an extension the model has no place for
            self._state = "key"
        elif state == "section":
            self._expect("[")
            self._section, self._index, self._state = self._key, 0, "first item"
        else:
            self._element()

    def _key_or_end(self, state: str) -> bool:
        if self._skip_space() == "}":
            self._pos += 1
            self._state = "end"
            return True
        if state == "key":
            self._expect(",")
        self._state = "key name"
        return True

    def _item(self, state: str) -> bool:
        if self._skip_space() == "]":
            self._pos += 1
            self._batcher.section_done(self._section or "")
            self._section, self._state = None, "key"
            return True
        if state == "item":
            self._expect(",")
        self._state = "element"
        return True

    def _element(self) -> None:
        line, start = self._line(self._pos), self._pos
        element = self._value()
        try:
            self._batcher.add(self._section or "", element, self._pos - start)
        except msgspec.ValidationError as error:
            message, _, path = str(error).partition(" - at `$")
            where = f"{self._where()}{path.rstrip('`')}"
            raise ImportInvalidValue(message, line=line, element=where) from None
        except HeldTooMuch as error:
            raise ImportOverLimit(
                str(error), line=line, element=self._where(), limit=error.limit
            ) from None
        self._index += 1
        self._state = "item"
