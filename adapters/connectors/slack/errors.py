"""Slack's own reading of its answers: failures come back as HTTP 200 with ``ok: false``.

Only throttling (429 + ``Retry-After``) and outages change the HTTP status, so without this
every refusal would look like success. The codes a reader handles itself (an expired page
cursor, a channel or thread that went away) pass through as answers for it to read.
"""

from __future__ import annotations

import re
from datetime import datetime

import msgspec

from adapters.connectors.api import OK, ApiResponse, Verdict
from adapters.connectors.slack.records import Answer
from domain.integrations.retry import retry_after_seconds

# The grant is gone (providers.md 2.4, rule 6): the person must reconnect; retrying is useless.
REJECTED = frozenset(
    {"invalid_auth", "not_authed", "token_revoked", "account_inactive", "missing_scope"}
)
# The reader's own business: restart a window, or skip what no longer exists.
HANDLED = frozenset({"invalid_cursor", "channel_not_found", "not_in_channel", "thread_not_found"})
# Slack's side failed; a read is safe to repeat, so these back off like a 5xx.
TRANSIENT = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})

_VERDICTS: dict[str, Verdict] = {
    "token_expired": Verdict(kind="renew", reason="token_expired"),
    **{code: Verdict(kind="rejected", reason=code) for code in REJECTED},
    **{code: OK for code in HANDLED},
    **{code: Verdict(kind="retry", reason=code) for code in TRANSIENT},
}
_CODE = re.compile(r"^[a-z0-9_.]{1,64}$")
_envelope = msgspec.json.Decoder(Answer)


def classify(response: ApiResponse, now: datetime) -> Verdict | None:
    """None leaves the answer to its HTTP status (429 + Retry-After, 5xx, 401...)."""
    answer = _answer(response)
    if answer is None or answer.ok:
        return None
    error = answer.error or ""
    if error == "ratelimited":  # also sent in a 200 by some methods
        wait = retry_after_seconds(response.header("retry-after"), now)
        return Verdict(kind="throttled", reason="ratelimited", retry_after=wait)
    # Only a well-formed code travels on (into the run's error): never a body.
    refused = Verdict(kind="refused", reason=error if _CODE.match(error) else "slack_error")
    return _VERDICTS.get(error, refused)


def _answer(response: ApiResponse) -> Answer | None:
    if response.status != 200:
        return None
    try:
        return _envelope.decode(response.content)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None  # not Slack's envelope: the reader's decode refuses it
