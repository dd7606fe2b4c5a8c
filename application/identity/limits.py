"""Rate limits on the doors an attacker knocks on: sign-in, refresh, sign-up, invitations.

Per address, to slow one machine spraying many accounts; per account, to stop many machines
guessing one password (R2.5). Account rules count failures only (an attempt is reserved
before the check and forgiven when it succeeds), so a user who types the password right is
never locked out by their own successful sign-ins.

Password checks are limited per (account, address) first: five wrong passwords from one
address refuse that address for that account, and nobody else. A stranger cannot lock a user
out with five requests (attack findings, item 8; OWASP's authentication guidance). Across all
addresses an account still has a ceiling, NIST SP 800-63B's 100 failed attempts, here per day:
guessing stays bounded however many machines take part.
"""

from __future__ import annotations

from datetime import timedelta
from typing import final

from application.identity.ports import RateLimit, RateLimiter
from domain.identity.errors import TooManyAttempts

LOGIN_PER_ADDRESS = RateLimit(name="login:address", limit=20, window=timedelta(minutes=1))
LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS = RateLimit(
    name="login:account-address", limit=5, window=timedelta(minutes=15)
)
LOGIN_FAILURES_PER_ACCOUNT = RateLimit(name="login:account", limit=100, window=timedelta(days=1))
REFRESH_PER_ADDRESS = RateLimit(name="refresh:address", limit=60, window=timedelta(minutes=1))
# Per session, counted only once a real token is found: a forged prefix naming someone's user
# id must not be able to spend that user's budget.
REFRESH_PER_SESSION = RateLimit(name="refresh:session", limit=30, window=timedelta(minutes=1))
SIGNUP_PER_ADDRESS = RateLimit(name="signup:address", limit=10, window=timedelta(hours=1))
INVITATION_PER_ADDRESS = RateLimit(name="invitation:address", limit=20, window=timedelta(minutes=1))
# Sending invitations (each one an email): per inviter, and per tenant for all its managers.
INVITATIONS_PER_INVITER = RateLimit(name="invite:inviter", limit=20, window=timedelta(hours=1))
INVITATIONS_PER_TENANT = RateLimit(name="invite:tenant", limit=50, window=timedelta(hours=1))
# Verification emails on request (sign-up's own is not counted), and following links.
EMAIL_VERIFICATIONS_PER_USER = RateLimit(
    name="verify-email:user", limit=5, window=timedelta(hours=1)
)
EMAIL_VERIFICATION_PER_ADDRESS = RateLimit(
    name="verify-email:address", limit=20, window=timedelta(minutes=1)
)
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

    async def reserve_password_check(self, account: str, address: str | None) -> None:
        """Before a password is checked: this address's budget for the account, then the
        account's ceiling; both count a failure until ``forgive_password_check``."""
        await self.reserve(LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS, _pair(account, address))
        await self.reserve(LOGIN_FAILURES_PER_ACCOUNT, account)

    async def forgive_password_check(self, account: str, address: str | None) -> None:
        await self.forgive(LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS, _pair(account, address))
        await self.forgive(LOGIN_FAILURES_PER_ACCOUNT, account)


def _pair(account: str, address: str | None) -> str:
    return f"{account}|{address or UNKNOWN_ADDRESS}"
