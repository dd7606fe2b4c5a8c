"""Send transactional email through Resend's HTTP API.

Retries a 429 or 5xx answer twice (honouring a short Retry-After), then raises
``EmailUnavailable``; nothing about the message but its kind reaches the logs, because bodies
carry invitation links.
"""

from __future__ import annotations

import asyncio
import logging

import httpx

from application.identity.ports import EmailMessage, EmailSender
from domain.identity.errors import EmailUnavailable
from domain.shared.secret import Secret

log = logging.getLogger("atlas.email")

RESEND_URL = "https://api.resend.com/emails"
ATTEMPTS = 3
MAX_BACKOFF_SECONDS = 5.0


class ResendEmailSender(EmailSender):
    def __init__(
        self,
        api_key: Secret[str],
        sender: str,
        *,
        url: str = RESEND_URL,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._api_key, self._sender, self._url = api_key, sender, url
        self._transport = transport

    async def send(self, message: EmailMessage) -> None:
        payload = {
            "from": self._sender,
            "to": [message.to],
            "subject": message.subject,
            "text": message.text,
        }
        headers = {"Authorization": f"Bearer {self._api_key.reveal()}"}
        async with httpx.AsyncClient(
            transport=self._transport, timeout=httpx.Timeout(10.0), follow_redirects=False
        ) as client:
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    response = await client.post(self._url, json=payload, headers=headers)
                except httpx.HTTPError as error:
                    log.warning(
                        "%s email: attempt %d failed (%s)",
                        message.kind,
                        attempt,
                        type(error).__name__,
                    )
                    await asyncio.sleep(min(attempt, MAX_BACKOFF_SECONDS))
                    continue
                if response.is_success:
                    return
                if response.status_code != 429 and response.status_code < 500:
                    log.error("%s email refused by Resend: %d", message.kind, response.status_code)
                    raise EmailUnavailable()
                log.warning(
                    "%s email: attempt %d got %d", message.kind, attempt, response.status_code
                )
                await asyncio.sleep(_backoff(response, attempt))
        raise EmailUnavailable()


def _backoff(response: httpx.Response, attempt: int) -> float:
    try:
        wait = float(response.headers.get("retry-after", attempt))
    except ValueError:
        wait = float(attempt)
    return min(max(wait, 0.0), MAX_BACKOFF_SECONDS)
