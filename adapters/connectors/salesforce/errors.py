"""Salesforce's own error answers: a list of ``{errorCode, message}``, read for the code only.

The daily API allowance is spent with a 403 ``REQUEST_LIMIT_EXCEEDED`` (not a 429, and with no
``Retry-After``): retrying within the run only spends more of a rolling 24-hour allowance the
customer's other integrations share, so the job is released and comes back in an hour
(providers.md rule 7). A 401 ``INVALID_SESSION_ID`` is the session timing out: the default
reading of a 401 renews the token once and replays the call.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from adapters.connectors.api import ApiResponse, Verdict
from adapters.connectors.salesforce.records import ApiError
from domain.sync.errors import SourceRefused

REQUEST_LIMIT_EXCEEDED = "REQUEST_LIMIT_EXCEEDED"
INVALID_QUERY_LOCATOR = "INVALID_QUERY_LOCATOR"
INVALID_REPLICATION_DATE = "INVALID_REPLICATION_DATE"
ALLOWANCE_WAIT_SECONDS = 3600.0

_errors = msgspec.json.Decoder(list[ApiError])


def error_code(response: ApiResponse) -> str:
    """The first ``errorCode`` of an error answer, or "" when it has none we can read."""
    try:
        errors = _errors.decode(response.content)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return ""
    return errors[0].error_code if errors else ""


def classify(response: ApiResponse, now: datetime) -> Verdict | None:
    if response.status == 403 and error_code(response) == REQUEST_LIMIT_EXCEEDED:
        return Verdict(
            kind="throttled", reason="request_limit_exceeded", retry_after=ALLOWANCE_WAIT_SECONDS
        )
    return None  # everything else reads by its HTTP status (401: renew once)


def refused(response: ApiResponse) -> SourceRefused:
    """An answer no retry will change, named by its code (never its message)."""
    code = error_code(response)
    reason = code.lower() if code.isascii() and code.replace("_", "").isalnum() else ""
    return SourceRefused(reason or f"http_{response.status}")
