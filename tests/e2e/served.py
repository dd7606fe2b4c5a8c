"""An app served over real HTTP by uvicorn on a thread of its own, in this process.

For clients that speak HTTP and not ASGI (schemathesis' requests transport): the app keeps one
event loop, the server thread's, for its whole life, so the real container's pools stay on it,
and the test can still override the container's providers before it starts.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from litestar import Litestar

from tests.factories.sync_fleet import free_port

START_WITHIN = 120.0  # seconds: a real container derives the vault's keys as it starts


@asynccontextmanager
async def serving(app: Litestar) -> AsyncIterator[str]:
    """The base URL while the app is served; shut down (its lifespan ended) afterwards."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, loop="asyncio", lifespan="on", log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    try:
        for _ in range(int(START_WITHIN / 0.1)):
            if server.started or not thread.is_alive():
                break
            await asyncio.sleep(0.1)
        assert server.started, "the app did not start serving"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.to_thread(thread.join, 30)
