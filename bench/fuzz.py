"""Fuzz the event-log readers (XES, OCEL 2.0 JSON, and an upload's gzip + sniffing) with
atheris, coverage-guided, for a bounded time each: ``python -m bench fuzz --seconds N``.

Each target runs in a process of its own (``bench.fuzz_target``; libFuzzer ends its process),
seeded from small valid logs (``bench.fuzz_seeds``) and from every input kept before. An
exception other than the readers' documented refusals is a crash: its input is written to
``tests/fuzz_corpus/<target>/`` where ``tests/unit/test_fuzz_corpus.py`` replays it for ever.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import tempfile
from pathlib import Path

from bench.fuzz_seeds import seeds
from bench.stats import line

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fuzz_corpus"
DEFAULT_SECONDS = 60  # per target


async def run() -> dict[str, float]:
    seconds = int(os.environ.get("ATLAS_BENCH_FUZZ_SECONDS", DEFAULT_SECONDS))
    print(f"Fuzzing the import readers with atheris: {seconds} s per target")
    figures: dict[str, float] = {}
    for target, starting in seeds().items():
        figures |= await _fuzz(target, starting, seconds)
    return figures


async def _fuzz(target: str, starting: dict[str, bytes], seconds: int) -> dict[str, float]:
    saved = CORPUS / target
    kept = sorted(saved.glob("crash-*")) if saved.exists() else []
    with tempfile.TemporaryDirectory(prefix=f"atlas-fuzz-{target}-") as work:
        corpus = Path(work)
        for name, data in starting.items():
            (corpus / name).write_bytes(data)
        for path in kept:
            (corpus / path.name).write_bytes(path.read_bytes())
        command = [sys.executable, "-m", "bench.fuzz_target", target, str(seconds),
                   str(corpus), str(saved)]  # fmt: skip
        process = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        output, _ = await asyncio.wait_for(process.communicate(), timeout=seconds + 120)
        grown = sum(1 for _ in corpus.iterdir())  # noqa: ASYNC240 (a few hundred names, once)
    text = output.decode(errors="replace")
    crashes = re.findall(r"^CRASH .*$", text, re.MULTILINE)
    runs = _stat(text, "number_of_executed_units")
    coverage = _last(text, r"cov: (\d+)")
    features = _last(text, r"ft: (\d+)")
    for crash in crashes:
        print(f"    {crash[:160]}")
    aborted = "" if process.returncode == 0 else f" (libFuzzer exit {process.returncode})"
    line(f"{target}: executions / coverage edges / features / corpus{aborted}",
         f"{runs:,} / {coverage} / {features} / {grown}")  # fmt: skip
    line(f"{target}: new crashes saved (tests/fuzz_corpus/{target}/)", str(len(crashes)))
    if process.returncode not in (0, None) and not crashes:
        print("\n".join(text.splitlines()[-25:]))  # a timeout or out-of-memory: show why
    return {f"{target}_runs": float(runs), f"{target}_crashes": float(len(crashes)),
            f"{target}_coverage": float(coverage)}  # fmt: skip


def _stat(text: str, name: str) -> int:
    found = re.search(rf"stat::{name}:\s+(\d+)", text)
    return int(found.group(1)) if found else 0


def _last(text: str, pattern: str) -> int:
    found = re.findall(pattern, text)
    return int(found[-1]) if found else 0
