"""One reader under atheris, in a process of its own (libFuzzer ends the process when done):
``python -m bench.fuzz_target TARGET SECONDS CORPUS SAVED``.

An input that makes the reader raise anything but its documented refusals is written to
``SAVED/crash-<sha1>`` and fuzzing goes on, so one run can find several: the first input of
each kind (exception type and the line it came from) only, so one bug is kept once. The readers are
instrumented for coverage when imported (atheris.instrument_imports), hence the late imports.
"""

from __future__ import annotations

import hashlib
import sys
import traceback
from pathlib import Path

import atheris


def main(argv: list[str]) -> None:
    target, seconds, corpus, saved = argv[1], int(argv[2]), Path(argv[3]), Path(argv[4])
    with atheris.instrument_imports(include=["adapters.importers", "domain.graph"]):
        from tests.factories.import_reading import CLEAN_REFUSALS, read

    seen: set[tuple[str, str, int | None]] = set()

    def one_input(data: bytes) -> None:
        try:
            read(target, data)
        except CLEAN_REFUSALS:
            pass
        except Exception as error:  # the finding: kept for the regression test
            frame = traceback.extract_tb(error.__traceback__)[-1]
            kind = (type(error).__name__, frame.filename, frame.lineno)
            if kind in seen:
                return
            seen.add(kind)
            name = f"crash-{hashlib.sha1(data, usedforsecurity=False).hexdigest()}"
            (saved / name).write_bytes(data)
            where = f"{Path(frame.filename).name}:{frame.lineno}"
            print(f"CRASH {target} {name}: {type(error).__name__} at {where}: {error}", flush=True)

    saved.mkdir(parents=True, exist_ok=True)  # libFuzzer's artifact prefix must exist
    libfuzzer = [argv[0], str(corpus), f"-max_total_time={seconds}", "-max_len=8192",
                 "-timeout=10", "-rss_limit_mb=1024", "-print_final_stats=1",
                 f"-artifact_prefix={saved}/"]  # fmt: skip
    atheris.Setup(libfuzzer, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
