"""Log lines cannot be forged from request values, in either format (attack findings, item 5)."""

from __future__ import annotations

import io
import json
import logging

import pytest

from application.shared.request_context import RequestContext, in_request
from entrypoints.log_format import JsonFormatter, TextFormatter, escape
from entrypoints.log_redaction import configure_logging

FORGED = "x\r\n2026-12-05 10:00:00,000 ERROR atlas.auth [-]: FORGED admin login ok"
HOSTILE = [FORGED, "a\x00b", "a\u2028b", "a\x1b[31mred", "a\x85b"]


def _log_through_atlas(log_format: str, emit: object) -> list[str]:
    stream = io.StringIO()
    configure_logging("INFO", log_format, stream)  # type: ignore[arg-type]
    try:
        with in_request(RequestContext(request_id="req-42", address="192.0.2.1")):
            emit(logging.getLogger("atlas.test"))  # type: ignore[operator]
    finally:
        configure_logging("WARNING", "text", io.StringIO())
    return stream.getvalue().splitlines()


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_value_stays_inside_its_one_text_line(value: str) -> None:
    lines = _log_through_atlas("text", lambda log: log.warning("unhandled error on GET %s", value))

    assert len(lines) == 1
    assert "[req-42]" in lines[0]
    assert not any(ch in lines[0] for ch in "\x00\x1b\u2028\x85")


def test_a_traceback_quoting_a_hostile_value_never_starts_a_line_of_its_own() -> None:
    def emit(log: logging.Logger) -> None:
        try:
            raise ValueError(FORGED)
        except ValueError:
            log.exception("import refused")

    lines = _log_through_atlas("text", emit)

    assert lines[0].endswith("[req-42]: import refused")
    assert len(lines) > 2
    assert all(line.startswith("    | ") for line in lines[1:])
    assert [line for line in lines[1:] if "FORGED" in line and not line.startswith("    | ")] == []


@pytest.mark.parametrize("value", HOSTILE)
def test_every_json_line_parses_and_carries_the_request_id(value: str) -> None:
    def emit(log: logging.Logger) -> None:
        log.info("path %s", value)
        try:
            raise RuntimeError(value)
        except RuntimeError:
            log.exception("failed on %s", value)

    lines = _log_through_atlas("json", emit)
    entries = [json.loads(line) for line in lines]

    assert len(entries) == 2
    assert [e["request_id"] for e in entries] == ["req-42", "req-42"]
    assert entries[0]["message"] == f"path {value}"
    assert value in entries[1]["exception"]


def test_secrets_are_redacted_before_either_format_writes_them() -> None:
    for log_format in ("text", "json"):
        lines = _log_through_atlas(log_format, lambda log: log.info("refresh_token=abc123 sent"))

        assert "abc123" not in "\n".join(lines)


@pytest.mark.parametrize("formatter", [TextFormatter(), JsonFormatter()])
def test_arguments_that_do_not_fit_the_message_never_raise(formatter: logging.Formatter) -> None:
    # uvicorn's access records carry a tuple; a filter that dropped it once made every access
    # line a 69-line "Logging error". A record whose arguments do not fit is still written.
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, "%s - %s", ("one",), None)

    line = formatter.format(record)

    assert "unformattable" in line
    assert "\n" not in line


def test_escape_shows_control_characters_visibly() -> None:
    assert escape("a\r\nb\x00\u2028") == "a\\r\\nb\\x00\\u2028"
    assert escape("zoë — ok") == "zoë — ok"
