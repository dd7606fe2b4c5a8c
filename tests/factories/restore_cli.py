"""The ``atlas`` command run as an operator runs it (a subprocess with its own data dir), and
a scratch directory for the clusters a restore creates."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.postgres.cluster import Binaries, LocalCluster

ATLAS = str(Path(sys.executable).parent / "atlas")


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
    return env | {"ATLAS_DATA_DIR": str(data_dir)}


async def atlas(*args: str, data_dir: Path) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        ATLAS, *args, env=_env(data_dir), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


@pytest.fixture
def scratch() -> Iterator[Path]:
    """Where restored clusters go. Not pytest's tmp_path: concurrent pytest runs on one machine
    reset /tmp/pytest-of-<user> to 0700, and the unprivileged server then loses its way in."""
    root = Path(tempfile.mkdtemp(prefix="atlas-restore-test-"))
    yield root
    for data in root.glob("*/postgres"):
        LocalCluster(data, Binaries.embedded()).stop()
    shutil.rmtree(root, ignore_errors=True)
