"""Log lines nobody can forge: every record is one line (text) or one JSON object (json).

Values from requests reach log messages (a path, a header, an exception quoting either). A CR
or LF in one of them would start a line of the attacker's choosing, so the text format escapes
every control character (and the Unicode line and paragraph separators) in the message, and
indents a traceback's lines under the record they belong to: a line that starts at column 0 is
always a record Atlas wrote. The JSON format is the sound answer for machines: one object per
line, the encoder escapes everything. Both carry the request id of the request being served;
JSON lines also its route template, tenant id, status and time to answer once known.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any, Literal

from application.shared.request_context import current_request

LogFormat = Literal["text", "json"]
_CONTROL = re.compile("[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]")
_TEXT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


def escape(value: str) -> str:
    """Control characters as visible escapes: ``\\r``, ``\\n``, ``\\x00``, ``\\u2028``."""
    return _CONTROL.sub(_escaped, value)


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char)
    if named:
        return named
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except (TypeError, ValueError):  # arguments that do not fit the message: say so, never raise
        return f"{record.msg!s} (unformattable arguments {len(record.args or ())})"


class RequestIds(logging.Filter):
    """Stamps each record with the id of the request being served ('-' outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = current_request()
        record.request_id = context.request_id if context else "-"
        record.request_facts = dict(context.facts) if context else {}
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(_TEXT)

    def format(self, record: logging.LogRecord) -> str:
        record.message = escape(_message(record))
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        record.asctime = self.formatTime(record)
        line = self.formatMessage(record)
        trace = _trace(self, record)
        if trace:
            line += "".join(f"\n    | {escape(part)}" for part in trace.splitlines())
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": _message(record),
            "request_id": getattr(record, "request_id", "-"),
            **getattr(record, "request_facts", {}),
        }
        trace = _trace(self, record)
        if trace:
            entry["exception"] = trace
        # ensure_ascii: U+2028 and friends leave as escapes too, whatever reads the file.
        return json.dumps(entry, ensure_ascii=True, default=str)


def _trace(formatter: logging.Formatter, record: logging.LogRecord) -> str:
    if record.exc_info and not record.exc_text:
        record.exc_text = formatter.formatException(record.exc_info)
    return "\n".join(part for part in (record.exc_text, record.stack_info) if part)


def formatter_for(log_format: LogFormat) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()
