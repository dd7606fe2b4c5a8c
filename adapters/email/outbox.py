"""Development email: each message becomes a file under the data dir, for the developer to open.

No email leaves the machine, and a developer can follow an invitation link from the file.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from application.identity.ports import EmailMessage, EmailSender


class FileOutbox(EmailSender):
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._write, message)

    def _write(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.directory / f"{stamp}-{message.kind}-{secrets.token_hex(3)}.txt"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # links carry tokens
        with os.fdopen(fd, "w") as out:
            out.write(f"To: {message.to}\nSubject: {message.subject}\n\n{message.text}")
