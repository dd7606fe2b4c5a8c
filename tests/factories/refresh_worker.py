"""A second process asking for tokens: ``python -m tests.factories.refresh_worker JOBS_FILE``.

Reads the database URL from ``ATLAS_TEST_DATABASE_URL`` (never from argv, which ``ps`` shows)
and the sandbox's base URL and call counts from the arguments; prints ``ready`` once its
engine and keyring are up, waits for ``go`` on stdin, then prints its ``Report`` as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

import msgspec

from adapters.crypto.aesgcm_vault import AesGcmVault
from adapters.postgres.engine import create_engine, session_factory
from adapters.postgres.url import DatabaseUrl
from adapters.postgres.vault_keys import PostgresKeyVersions
from tests.factories.refresh_fleet import Job, connection_tokens, jobs_from, refresh_all
from tests.factories.vault import keyring_on


async def work(jobs: list[Job], sandbox: str, calls: int, concurrency: int) -> None:
    url = DatabaseUrl.parse(os.environ["ATLAS_TEST_DATABASE_URL"])
    engine = create_engine(url, pool_size=concurrency, max_overflow=5)
    try:
        sessions = session_factory(engine)
        keyring = keyring_on(PostgresKeyVersions(sessions))
        await keyring.start()
        async with connection_tokens(sessions, AesGcmVault(keyring), sandbox) as manager:
            print("ready", flush=True)
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, sys.stdin.readline)
            report = await refresh_all(manager, jobs, calls_per_job=calls, concurrency=concurrency)
        print(msgspec.json.encode(report).decode(), flush=True)
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("jobs", type=Path)
    parser.add_argument("--sandbox", required=True)
    parser.add_argument("--calls", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=25)
    args = parser.parse_args()
    jobs = jobs_from(args.jobs.read_bytes())
    asyncio.run(work(jobs, args.sandbox, args.calls, args.concurrency))


if __name__ == "__main__":
    main()
