"""Keep secrets out of logs: redact every record, and drop query strings from the access log
(security.md R7.4, providers.md rule 8).

The code never logs a token, code, state, verifier or client secret on purpose; this is the
second line, for a library's debug line or an exception text that quotes one.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import TextIO

from entrypoints.log_format import LogFormat, RequestIds, formatter_for

REDACTED = "[redacted]"
_NAMES = (
    "access_token|refresh_token|id_token|code_verifier|client_secret|code|state|token|ticket"
    "|password|secret|authorization|x-sandbox-control"  # the last: the sandbox's control key
)
_PATTERNS = (
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), rf"\1 {REDACTED}"),
    # name=value, "name": "value", name: value (query strings, form bodies, JSON, reprs)
    (re.compile(rf"(?i)\b({_NAMES})(\"?'?\s*[:=]\s*\"?'?)([^\s\"'&,;}}\])]+)"), rf"\1\2{REDACTED}"),
    # Atlas's own flow URLs: the start ticket is in the path (or the app link's fragment), the
    # callback's query holds both the code and the state.
    (re.compile(r"(/api/v1/oauth/start/)[^\s?\"']+"), rf"\1{REDACTED}"),
    (re.compile(r"(/connect#)[^\s\"']+"), rf"\1{REDACTED}"),
    (re.compile(r"(/api/v1/oauth/callback/[A-Za-z_]*)\?[^\s\"']*"), rf"\1?{REDACTED}"),
    # Token shapes of the providers, wherever they appear.
    (re.compile(r"\b(xox[a-z]|xoxe\.xox[a-z])-[\w-]+"), REDACTED),
    (re.compile(r"\bya29\.[\w-]+"), REDACTED),
    (re.compile(r"\b1//0[\w-]+"), REDACTED),
)
OAUTH_PATHS = ("/api/v1/oauth/start/", "/api/v1/oauth/callback/")


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """On a handler: every record it emits is redacted, message and traceback alike."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        cleaned = redact(message)
        # A clean record keeps its arguments: uvicorn's access formatter reads them as a tuple
        # (client, method, path, version, status), and an access line whose path still held
        # a secret keeps that shape, each argument redacted on its own (the path is one).
        if cleaned != message:
            if record.name == "uvicorn.access" and isinstance(record.args, tuple):
                record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
            else:
                record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class AccessLogWithoutQueries(logging.Filter):
    """On ``uvicorn.access``: its records carry ``(client, method, path, version, status)``.

    Query strings never reach the access log: the OAuth callback's carries a code and a state,
    the sandbox's authorize pages a state, and searches carry people's names and addresses.
    The path is enough to read traffic; the start ticket in its path is redacted too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            path = args[2].split("?", 1)[0]
            if path.startswith(OAUTH_PATHS[0]):
                path = OAUTH_PATHS[0] + REDACTED
            record.args = (*args[:2], path, *args[3:])
        return True


def protect_handlers(*loggers: str) -> None:
    """Redact on every handler of these loggers (the root's by default)."""
    for name in loggers or ("",):
        for handler in logging.getLogger(name or None).handlers:
            if not any(isinstance(f, RedactSecrets) for f in handler.filters):
                handler.addFilter(RedactSecrets())


def protect_uvicorn() -> None:
    """After uvicorn configured its loggers: redact its messages, trim its access lines.

    Atlas's own server passes ``log_config=None``, so uvicorn's records propagate to the root
    handler (one format, one redaction); a uvicorn configured the default way keeps its own
    handlers, and they are protected here too.
    """
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, AccessLogWithoutQueries) for f in access.filters):
        access.addFilter(AccessLogWithoutQueries())
    protect_handlers("uvicorn", "uvicorn.error", "uvicorn.access")


def uvicorn_to_root() -> None:
    """uvicorn's loggers write through the root handler only (after ``log_config=None``, and
    whatever configured them before in this process)."""
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True


def configure_logging(
    level: str, log_format: LogFormat = "text", stream: TextIO | None = None
) -> None:
    """One handler on the root: stderr, the chosen format, request ids, secrets redacted."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter_for(log_format))
    handler.addFilter(RequestIds())
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    for previous in [h for h in root.handlers if getattr(h, "atlas", False)]:
        root.removeHandler(previous)
    handler.atlas = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
