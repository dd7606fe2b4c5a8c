"""Imports over HTTP as clients make them: POST the file (202 and a Location), then poll it."""

from __future__ import annotations

import asyncio
from typing import Any

POLLS = 2_000  # a bound on the work, not a deadline: each poll yields to the import's task


async def wait_for_import(client: Any, location: str, headers: dict[str, str]) -> Any:
    """The import's status once it has succeeded or failed."""
    for _ in range(POLLS):
        status = (await client.get(location, headers=headers)).json()
        if status["state"] in {"succeeded", "failed"}:
            return status
        await asyncio.sleep(0.01)
    raise AssertionError(f"the import at {location} did not finish: {status}")


async def import_file(client: Any, body: bytes, headers: dict[str, str], **params: str) -> Any:
    """POST, then poll to its end; the final status (summary, or failure)."""
    posted = await client.post("/api/v1/graph/imports", content=body, headers=headers,
                               params=params)  # fmt: skip
    assert posted.status_code == 202, posted.text
    return await wait_for_import(client, posted.headers["location"], headers)
