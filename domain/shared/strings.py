"""Strings inside decoded JSON: whether any of them, keys included, holds a character pattern."""

from __future__ import annotations

import re
from typing import Any


def any_string_matches(value: Any, pattern: re.Pattern[str]) -> bool:
    """Iterative, not recursive: the value may nest as deep as its decoder allowed."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if pattern.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False
