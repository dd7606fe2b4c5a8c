"""Proving an email address: a single-use, expiring link sent to it.

A new account's address is only claimed until its owner follows the link. Until then the
account may not invite people or connect a provider: those are the acts that make Atlas write
to strangers or read someone's tools, so they wait for proof that the address is the user's.
An invitation email proves its address too: an account made by accepting one is verified.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from domain.shared.ids import UserId

EMAIL_VERIFICATION_LIFETIME = timedelta(hours=24)


class EmailVerification(msgspec.Struct, frozen=True, kw_only=True):
    """The user's one pending link; the store keeps only its token's SHA-256."""

    user_id: UserId
    digest: bytes
    created_at: datetime
    expires_at: datetime

    def open(self, at: datetime) -> bool:
        return at < self.expires_at

    def __repr__(self) -> str:
        return f"EmailVerification(user_id={self.user_id}, digest=***)"
