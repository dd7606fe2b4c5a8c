"""Rate limits on the doors an attacker knocks on: sign-in, refresh, sign-up, invitations.

Per address, to slow one machine spraying many accounts; per account, to stop many machines
guessing one password (R2.5). Account rules count failures only (an attempt is reserved
before the check and forgiven when it succeeds), so a user who types the password right is
never locked out by their own successful sign-ins.
"""

from __future__ import annotations

from datetime import timedelta
from typing import final

from application.identity.ports import RateLimit, RateLimiter
from domain.identity.errors import TooManyAttempts

LOGIN_PER_ADDRESS = RateLimit(name="login:address", limit=20, window=timedelta(minutes=1))
LOGIN_FAILURES_PER_ACCOUNT = RateLimit(name="login:account", limit=5, window=timedelta(minutes=15))
REFRESH_PER_ADDRESS = RateLimit(name="refresh:address", limit=60, window=timedelta(minutes=1))
# Per session, counted only once a real token is found: a forged prefix naming someone's user
# id must not be able to spend that user's budget.
REFRESH_PER_SESSION = RateLimit(name="refresh:session", limit=30, window=timedelta(minutes=1))
SIGNUP_PER_ADDRESS = RateLimit(name="signup:address", limit=10, window=timedelta(hours=1))
INVITATION_PER_ADDRESS = RateLimit(name="invitation:address", limit=20, window=timedelta(minutes=1))
PASSWORD_FAILURES_PER_ACCOUNT = RateLimit(
    name="password:account", limit=5, window=timedelta(minutes=15)
)

UNKNOWN_ADDRESS = "unknown"


@final
class Throttle:
    """Turns a limiter's answer into ``TooManyAttempts`` (429 with Retry-After)."""

    def __init__(self, limiter: RateLimiter) -> None:
        self._limiter = limiter

    async def attempt(self, rule: RateLimit, subject: str | None) -> None:
        wait = await self._limiter.attempt(rule, subject or UNKNOWN_ADDRESS)
        if wait is not None:
            raise TooManyAttempts(retry_after=wait)

    async def reserve(self, rule: RateLimit, subject: str) -> None:
        """Count an attempt before it runs, as a failure until ``forgive`` says otherwise.

        Checking first and counting after the (slow) password check let parallel guesses all
        pass the check: counting first makes the limit hold however many arrive at once.
        """
        await self.attempt(rule, subject)

    async def forgive(self, rule: RateLimit, subject: str) -> None:
        await self._limiter.refund(rule, subject)
