"""Where the shared event logs are: ``../shared/data`` beside the checkout, as on every machine.

A checkout cloned elsewhere (a scratch clone under /tmp, for instance) can name the folder with
``SHARED_DATA_DIR``; the workplace's own copy at ``/work/shared/data`` is the last resort. A
missing log fails loudly: the proofs that read it are required, never silently skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def shared_data() -> Path:
    candidates = [
        Path(os.environ["SHARED_DATA_DIR"]) if os.environ.get("SHARED_DATA_DIR") else None,
        ROOT.parent / "shared" / "data",
        Path("/work/shared/data"),
    ]
    for candidate in candidates:
        if candidate is not None and (candidate / "README.md").exists():
            return candidate
    raise FileNotFoundError(
        "the shared event logs are not at ../shared/data; set SHARED_DATA_DIR to their folder"
    )


def event_log(name: str) -> Path:
    return shared_data() / name
