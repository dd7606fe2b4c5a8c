"""Fail when a source file grows past the size a reader can hold in their head (style rule)."""

from __future__ import annotations

import sys
from pathlib import Path

LIMIT = 300
ROOTS = ("domain", "application", "adapters", "entrypoints")


def main() -> int:
    long_files = [
        (path, count)
        for root in ROOTS
        for path in sorted(Path(root).rglob("*.py"))
        if (count := len(path.read_text().splitlines())) > LIMIT
    ]
    for path, count in long_files:
        print(f"{path}: {count} lines (limit {LIMIT})")
    return 1 if long_files else 0


if __name__ == "__main__":
    sys.exit(main())
