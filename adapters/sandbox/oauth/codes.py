"""Pending consents and authorization codes: single-use, short-lived, bound to one request."""

from __future__ import annotations

import secrets
import threading
from datetime import datetime, timedelta

from adapters.sandbox.oauth.model import AuthorizationRequest, CodeRecord
from adapters.sandbox.oauth.pkce import verifier_matches
from adapters.sandbox.oauth.refusal import Reason, Refused
from adapters.sandbox.oauth.store import TokenStore, digest
from application.shared.ports import Clock

CONSENT_TTL = timedelta(minutes=10)


class CodeDesk:
    def __init__(self, clock: Clock, tokens: TokenStore) -> None:
        self._clock, self._tokens = clock, tokens
        self._lock = threading.Lock()
        self._consents: dict[str, tuple[AuthorizationRequest, datetime]] = {}
        self._codes: dict[str, CodeRecord] = {}

    def await_consent(self, request: AuthorizationRequest) -> str:
        consent_id = secrets.token_urlsafe(32)
        with self._lock:
            self._consents[digest(consent_id)] = (request, self._clock.now() + CONSENT_TTL)
        return consent_id

    def take_consent(self, consent_id: str) -> AuthorizationRequest | None:
        """Single use: the first POST of a consent form wins, a replay finds nothing."""
        with self._lock:
            entry = self._consents.pop(digest(consent_id), None)
        if entry is None or entry[1] < self._clock.now():
            return None
        return entry[0]

    def issue_code(
        self,
        code: str,
        request: AuthorizationRequest,
        granted: tuple[str, ...],
        granted_user: tuple[str, ...],
        ttl: timedelta,
    ) -> None:
        record = CodeRecord(request, granted, granted_user, self._clock.now() + ttl)
        with self._lock:
            self._codes[digest(code)] = record

    def redeem_code(
        self, code: str, *, client_id: str, redirect_uri: str | None, verifier: str | None
    ) -> CodeRecord:
        with self._lock:
            record = self._codes.get(digest(code))
            if record is None:
                raise Refused(Reason.CODE_UNKNOWN, "unknown authorization code")
            if record.redeemed:
                # RFC 6749 §4.1.2: a replayed code revokes what the first redemption issued.
                record.replayed = True
                for family_id in record.families:
                    self._tokens.revoke_family(family_id, "authorization code replayed")
                raise Refused(Reason.CODE_REUSED, "authorization code already used")
            # Burnt by the first attempt, right or wrong: a code never gets a second guess.
            record.redeemed = True
            if record.request.client_id != client_id:
                raise Refused(Reason.CODE_OTHER_CLIENT, "code was issued to another client")
            if record.expires_at < self._clock.now():
                raise Refused(Reason.CODE_EXPIRED, "authorization code expired")
            if redirect_uri != record.request.redirect_uri:
                raise Refused(Reason.REDIRECT_MISMATCH, "redirect_uri does not match")
            _check_pkce(record.request.code_challenge, verifier)
            return record


def _check_pkce(challenge: str | None, verifier: str | None) -> None:
    if challenge is None:
        if verifier is not None:
            raise Refused(Reason.PKCE_UNEXPECTED, "code_verifier sent for a request without PKCE")
        return
    if verifier is None:
        raise Refused(Reason.PKCE_MISSING, "code_verifier required")
    if not verifier_matches(verifier, challenge):
        raise Refused(Reason.PKCE_MISMATCH, "invalid code verifier")
