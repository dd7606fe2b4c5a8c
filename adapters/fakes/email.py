"""An email sender that records what it would have sent."""

from __future__ import annotations

from application.identity.ports import EmailMessage, EmailSender
from domain.identity.errors import EmailUnavailable


class FakeEmailSender(EmailSender):
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self.failing = False

    async def send(self, message: EmailMessage) -> None:
        if self.failing:
            raise EmailUnavailable()
        self.sent.append(message)
