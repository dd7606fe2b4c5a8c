"""Secrets never survive a log record: the redaction filter and the access-log trimmer."""

from __future__ import annotations

import logging

import pytest
from uvicorn.logging import AccessFormatter

from entrypoints.log_redaction import AccessLogWithoutQueries, RedactSecrets, redact
from tests.factories.vault import marker


def _record(message: str, *args: object, name: str = "atlas.test") -> logging.LogRecord:
    return logging.LogRecord(name, logging.INFO, __file__, 1, message, args, None)


@pytest.mark.parametrize(
    "template",
    [
        "POST body grant_type=refresh_token&refresh_token={m}&client_id=x",
        '{{"access_token": "{m}", "token_type": "bearer"}}',
        "client_secret: {m}",
        "Authorization: Bearer {m}",
        "GET /api/v1/oauth/callback/google?code={m}&state=abc HTTP/1.1",
        "opening /api/v1/oauth/start/{m}",
        "code_verifier={m}",
        "sent xoxe.xoxp-1-{m} to slack",
        "headers {{'X-Sandbox-Control': '{m}'}}",
    ],
)
def test_a_secret_in_any_usual_shape_is_redacted(template: str) -> None:
    secret = marker().replace("-", "")
    record = _record(template.replace("{m}", secret).replace("{{", "{").replace("}}", "}"))

    RedactSecrets().filter(record)

    assert secret not in record.getMessage()
    assert "[redacted]" in record.getMessage()


def test_arguments_and_tracebacks_are_redacted_too() -> None:
    secret = marker()
    try:
        raise ValueError(f"refresh_token={secret}")
    except ValueError:
        record = _record("refresh failed for %s", f"access_token={secret}")
        record.exc_info = __import__("sys").exc_info()

    RedactSecrets().filter(record)

    assert secret not in record.getMessage()
    assert record.exc_text is not None
    assert "ValueError" in record.exc_text
    assert secret not in record.exc_text


def test_ordinary_messages_are_left_alone() -> None:
    text = "connection 01a2 of user 7 refreshed (hubspot, 1800 s)"

    assert redact(text) == text


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/api/v1/oauth/callback/slack?code=c0de&state=st4te", "/api/v1/oauth/callback/slack"),
        ("/api/v1/oauth/start/t.u.t1cket", "/api/v1/oauth/start/[redacted]"),
        ("/api/v1/graph/entities?search=ada@example.com", "/api/v1/graph/entities"),
        ("/hubspot/oauth/authorize/?client_id=x&state=st4te", "/hubspot/oauth/authorize/"),
        ("/health", "/health"),
    ],
)
def test_the_access_log_drops_every_query_string_and_the_ticket(path: str, logged: str) -> None:
    # uvicorn logs ('%s - "%s %s HTTP/%s" %d', client, method, path with query, version, status)
    record = _record('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", path, "1.1", 303,
                     name="uvicorn.access")  # fmt: skip

    AccessLogWithoutQueries().filter(record)

    assert record.args is not None
    assert record.args[2] == logged  # type: ignore[index]
    assert record.getMessage() == f'127.0.0.1:5 - "GET {logged} HTTP/1.1" 303'


@pytest.mark.parametrize("path", ["/ready", "/api/v1/oauth/start/t.u.t1cket?x=1", "/x?token=abc"])
def test_access_lines_still_format_with_uvicorns_formatter_after_both_filters(path: str) -> None:
    formatter = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s')
    record = _record('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", path, "1.1", 200,
                     name="uvicorn.access")  # fmt: skip
    record.args = (*record.args[:2], f"{path} access_token=s3cr3t", *record.args[3:])  # type: ignore[index]

    AccessLogWithoutQueries().filter(record)
    RedactSecrets().filter(record)
    line = formatter.format(record)

    assert line.startswith('127.0.0.1:5 - "GET ')
    assert line.endswith('HTTP/1.1" 200 OK')
    assert "s3cr3t" not in line
    assert "t1cket" not in line
    assert "?" not in line
