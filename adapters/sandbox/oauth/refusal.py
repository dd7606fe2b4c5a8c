"""Why the authorization server said no; each provider turns a reason into its own error shape."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    INVALID_REQUEST = "invalid_request"
    PARAMS_IN_QUERY = "params_in_query"
    UNKNOWN_CLIENT = "unknown_client"
    BAD_SECRET = "bad_secret"
    REDIRECT_MISMATCH = "redirect_mismatch"
    UNSUPPORTED_GRANT = "unsupported_grant_type"
    CODE_UNKNOWN = "code_unknown"
    CODE_EXPIRED = "code_expired"
    CODE_REUSED = "code_reused"
    CODE_OTHER_CLIENT = "code_other_client"
    PKCE_MISSING = "pkce_missing"
    PKCE_MISMATCH = "pkce_mismatch"
    PKCE_UNEXPECTED = "pkce_unexpected"
    REFRESH_UNKNOWN = "refresh_unknown"
    REFRESH_EXPIRED = "refresh_expired"
    REFRESH_REVOKED = "refresh_revoked"
    REFRESH_REUSED = "refresh_reused"
    REFRESH_OTHER_CLIENT = "refresh_other_client"

    @property
    def client_failure(self) -> bool:
        """The client could not authenticate: RFC 6749's ``invalid_client`` family."""
        return self in (Reason.UNKNOWN_CLIENT, Reason.BAD_SECRET)

    @property
    def grant_failure(self) -> bool:
        """The code or refresh token is no good: RFC 6749's ``invalid_grant``."""
        return self.value.startswith(("code_", "pkce_", "refresh_")) or self is (
            Reason.REDIRECT_MISMATCH
        )


class Refused(Exception):
    """Raised inside the server; the provider module renders it in the provider's shape."""

    def __init__(self, reason: Reason, description: str = "") -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.description = description or reason.value.replace("_", " ")


class BearerReason(StrEnum):
    MISSING = "missing"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SCOPE = "insufficient_scope"
