"""The HTTP app on the real container (PostgreSQL, bcrypt cost 12, EdDSA JWTs, the limiter),
in process, for the real-stack HTTP tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from adapters.postgres.url import DatabaseUrl
from entrypoints.container import real_container
from entrypoints.database import DatabaseEndpoints
from entrypoints.http.app import create_app
from entrypoints.settings import load_settings


@asynccontextmanager
async def real_api(
    app_url: DatabaseUrl, data_dir: Path, environ: Mapping[str, str] | None = None
) -> AsyncIterator[AsyncTestClient[Any]]:
    """``environ``: more ``ATLAS_*`` settings for this app (a region, its URLs)."""
    settings = load_settings(
        {"ATLAS_PASSWORD_HASH_CONCURRENCY": "2", **(environ or {})}, cwd=data_dir
    )
    container = real_container(settings, DatabaseEndpoints(app=app_url, owner=None))
    async with AsyncTestClient(create_app(container)) as client:
        yield client
