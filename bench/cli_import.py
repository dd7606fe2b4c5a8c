"""``atlas import`` then ``atlas process-map`` of BPIC 2012 as two whole processes (interpreter
start included), as an operator runs them: median wall time of the pair and each process's peak
RSS, over ``RUNS`` runs, each into a tenant of its own (made by ``atlas tenants create``, not
timed). The cluster runs already (a throwaway one, fsync off): its start is not counted.

Run it: ``.venv/bin/python -m bench cli_import`` (``BENCH_RUNS=3`` for fewer runs).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from adapters.postgres.throwaway import start_throwaway_database

ROOT = Path(__file__).resolve().parents[1]
BPIC = ROOT.parent / "shared" / "data" / "bpic2012.xes.gz"
ATLAS = str(Path(sys.executable).parent / "atlas")
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
PASSWORD = "bench password 2012\n" * 2


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (MB) and output of one whole process."""
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    assert process.returncode == 0, output[-2000:]
    return wall, usage.ru_maxrss // 1024, output


def _tenant(env: dict[str, str], n: int) -> str:
    created = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [ATLAS, "tenants", "create", "--name", f"Bench {n}", "--owner-email",
         f"bench{n}@example.com", "--owner-name", "Bench"],
        env=env, input=PASSWORD.encode(), capture_output=True, check=True,
    )  # fmt: skip
    return created.stdout.decode().split("Tenant ")[-1].split()[0]


async def run() -> None:
    db = await start_throwaway_database()
    try:
        data_dir = Path(tempfile.mkdtemp(prefix="atlas-bench-cli-"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")} | {
            "PYTHONPATH": str(ROOT), "ATLAS_DATA_DIR": str(data_dir), "ATLAS_LOG_LEVEL": "WARNING",
            "ATLAS_DATABASE_URL": db.app.render(hide_password=False),
            "ATLAS_DATABASE_OWNER_URL": db.owner.render(hide_password=False),
            "ATLAS_DATABASE_BACKUP_URL": db.backup.render(hide_password=False),
        }  # fmt: skip
        pairs, imports, maps, rss = [], [], [], []
        for n in range(RUNS):
            tenant = _tenant(env, n)
            load = os.getloadavg()[0]
            imported, import_rss, said = _timed(
                [ATLAS, "import", str(BPIC), "--tenant", tenant], env
            )
            mapped, map_rss, _ = _timed(
                [ATLAS, "process-map", "--object-type", "case", "--tenant", tenant], env
            )
            assert "Imported 262,200 events" in said, said
            pairs.append(imported + mapped)
            imports.append(imported)
            maps.append(mapped)
            rss.append(max(import_rss, map_rss))
            print(f"  run {n + 1}: import {imported:.2f} s ({import_rss} MB), process-map "
                  f"{mapped:.2f} s ({map_rss} MB), load {load:.1f}")  # fmt: skip
        print("CLI: atlas import + atlas process-map of BPIC 2012, two whole processes")
        print(
            f"  median of {RUNS}: {statistics.median(pairs):.2f} s (import "
            f"{statistics.median(imports):.2f} s, process-map {statistics.median(maps):.2f} s)"
        )
        print(f"  peak RSS, the larger process: {max(rss)} MB")
    finally:
        db.cluster.destroy()
