"""The one mapping from errors to ``application/problem+json`` (RFC 9457) with a stable code."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap

from adapters.postgres.errors import DatabaseUnavailable, database_gone
from domain.shared.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    TooLarge,
    Unauthenticated,
    Unavailable,
)

log = logging.getLogger("atlas.http")

PROBLEM_JSON = "application/problem+json"

_CATEGORY_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (Invalid, 422),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (TooLarge, 413),
    (RateLimited, 429),
    (Unavailable, 503),
)

# Errors Litestar raises itself, before or around our handlers.
_HTTP_CODES = {
    400: ("request.invalid", "The request is not valid."),
    401: ("auth.unauthenticated", "Authentication is required."),
    403: ("auth.forbidden", "You may not do this."),
    404: ("http.not_found", "Nothing lives at this address."),
    405: ("http.method_not_allowed", "This method is not allowed here."),
    408: ("request.too_slow", "The request body arrived too slowly."),
    413: ("request.too_large", "The request body is too large."),
    415: ("request.unsupported_media_type", "The request's media type is not supported."),
    429: ("request.rate_limited", "Too many requests."),
}


def problem(status: int, code: str, title: str, **extra: Any) -> Response[dict[str, Any]]:
    headers = {}
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra.pop("retry_after"))
    body = {"type": f"urn:atlas:problem:{code}", "title": title, "status": status, "code": code}
    body.update({k: v for k, v in extra.items() if v is not None})
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def status_of(error: DomainError) -> int:
    for category, status in _CATEGORY_STATUS:
        if isinstance(error, category):
            return status
    return HTTP_500_INTERNAL_SERVER_ERROR


def _domain_error(request: Request[Any, Any, Any], error: DomainError) -> Response[Any]:
    status = status_of(error)
    if status == HTTP_500_INTERNAL_SERVER_ERROR and database_gone(error.__cause__):
        return _database_gone(request, error)
    if status == HTTP_500_INTERNAL_SERVER_ERROR:
        log.error("%s on %s %s", error.code, request.method, request.url.path, exc_info=error)
        return problem(status, "internal", "Something went wrong on our side.")
    extra: dict[str, Any] = {"detail": error.message, **error.details}
    if isinstance(error, RateLimited | Unavailable):
        extra["retry_after"] = error.retry_after
    return problem(status, error.code, error.default_message, **extra)


def _http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    status = error.status_code
    if status >= HTTP_500_INTERNAL_SERVER_ERROR:
        return _unexpected(request, error)
    code, title = _HTTP_CODES.get(status, ("http.error", "The request failed."))
    extra: dict[str, Any] = {}
    if isinstance(error, ValidationException) and isinstance(error.extra, list):
        extra["errors"] = [
            {"message": e.get("message"), "key": e.get("key"), "source": e.get("source")}
            for e in error.extra
            if isinstance(e, dict)
        ]
    headers = error.headers or {}
    if "Retry-After" in headers:
        extra["retry_after"] = headers["Retry-After"]
    response = problem(status, code, title, **extra)
    for name, value in headers.items():
        if name.lower() not in ("retry-after", "content-type"):
            response.headers[name] = value
    return response


def _database_gone(request: Request[Any, Any, Any], error: BaseException) -> Response[Any]:
    # The database restarting or failing over is no bug: the client retries (Retry-After).
    log.warning("database unreachable on %s %s: %s", request.method, request.url.path,
                type(error).__name__)  # fmt: skip
    return _domain_error(request, DatabaseUnavailable())


def _unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    if database_gone(error):
        return _database_gone(request, error)
    # Logged with the traceback for us; the client learns nothing about the internals.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return problem(HTTP_500_INTERNAL_SERVER_ERROR, "internal", "Something went wrong on our side.")


def exception_handlers() -> ExceptionHandlersMap:
    return {
        DomainError: _domain_error,
        HTTPException: _http_error,
        Exception: _unexpected,
    }
