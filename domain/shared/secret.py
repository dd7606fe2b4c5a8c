"""A wrapper for secret values whose repr, str, pickling and encoding never show the value."""

from __future__ import annotations

import hmac
from typing import Generic, NoReturn, TypeVar

T = TypeVar("T", str, bytes)

_MASK = "**********"


class Secret(Generic[T]):
    """Holds a secret; only ``reveal()`` gives it back.

    Logs, tracebacks, error reports and debuggers print reprs, so the repr is a fixed mask that
    does not even hint at the length. Equality is constant-time, and the value refuses to be
    pickled or copied into formats that would carry it around unnoticed.
    """

    __slots__ = ("_value",)

    def __init__(self, value: T) -> None:
        self._value: T = value

    def reveal(self) -> T:
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{_MASK}')"

    def __str__(self) -> str:
        return _MASK

    def __format__(self, format_spec: str) -> str:
        return _MASK

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        mine, theirs = self._value, other._value
        if isinstance(mine, str) != isinstance(theirs, str):
            return False
        left = mine.encode() if isinstance(mine, str) else mine
        right = theirs.encode() if isinstance(theirs, str) else theirs
        return hmac.compare_digest(left, right)

    def __hash__(self) -> int:
        return hash((Secret, len(self._value)))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> NoReturn:
        raise TypeError("secrets cannot be pickled")
