"""`make demo` on a fresh data directory, with `make run` (atlas up) going: the whole loop a new
user judges, connect, sync, see the map, through the real server, worker and sandbox."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.postgres.throwaway import free_port
from tests.e2e.test_make_run import ATLAS, _start, _stop, atlas_env

pytestmark = pytest.mark.e2e


@pytest.fixture
def atlas_up() -> Iterator[dict[str, str]]:
    """``atlas up`` on a port of its own; the environment an ``atlas`` command next to it needs."""
    # Not pytest's tmp_path: concurrent runs prune each other's (see test_make_run).
    root = Path(tempfile.mkdtemp(prefix="atlas-demo-"))
    port = free_port()
    origin = {"ATLAS_APP_ORIGIN": f"https://127.0.0.1:{port}"}  # OAuth callbacks come back here
    running = _start(root / ".atlas", port, log=root / "atlas-up.log", **origin)
    try:
        yield atlas_env(root / ".atlas", port, **origin)
    finally:
        _stop(running)
        shutil.rmtree(root, ignore_errors=True)


def test_the_demo_connects_every_provider_syncs_and_prints_non_empty_maps(
    atlas_up: dict[str, str],
) -> None:
    env = atlas_up

    demo = subprocess.run(
        [ATLAS, "demo"], env=env, capture_output=True, text=True, timeout=900, check=False
    )

    output = demo.stdout + demo.stderr
    assert demo.returncode == 0, output
    assert re.search(r"email\s+demo-[0-9a-f]{8}@northwind\.example", output)
    assert output.count(" connected ") == 7, output
    assert output.count(" succeeded ") == 7, output
    for object_type in ("deal", "ticket", "issue"):
        found = re.search(rf"^{object_type}: ([\d,]+) objects, ([\d,]+) activities", output, re.M)
        assert found, output
        assert int(found.group(1).replace(",", "")) > 0
        assert int(found.group(2).replace(",", "")) > 0
    assert "What to open next" in output
