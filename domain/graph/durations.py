"""Duration statistics computed exactly from integer microseconds.

Both the reference computation and the fast one call ``duration_stats`` with the same
integers, so their results are equal to the last bit: every statistic is one correctly
rounded division of an exact integer. p90 is the linear interpolation between closest ranks
(numpy's default, PostgreSQL's ``percentile_cont``), done in integers.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec

MICROS = 1_000_000


class DurationStats(msgspec.Struct, frozen=True, kw_only=True):
    """Seconds; ``total`` is the time spent on the edge, summed."""

    mean: float
    median: float
    p90: float
    min: float
    max: float
    total: float


def duration_stats(count: int, total: int, smallest: Callable[[int], int]) -> DurationStats:
    """``smallest(i)`` is the i-th smallest duration (0-based) of ``count``; ``total`` their sum."""
    if count <= 0:
        raise ValueError("no durations")
    return DurationStats(
        mean=total / (count * MICROS),
        median=median_seconds(count, smallest),
        p90=_percentile_tenths(count, 9, smallest),
        min=smallest(0) / MICROS,
        max=smallest(count - 1) / MICROS,
        total=total / MICROS,
    )


def median_seconds(count: int, smallest: Callable[[int], int]) -> float:
    middle = count // 2
    if count % 2:
        return smallest(middle) / MICROS
    return (smallest(middle - 1) + smallest(middle)) / (2 * MICROS)


def _percentile_tenths(count: int, tenths: int, smallest: Callable[[int], int]) -> float:
    # rank = tenths/10 * (count - 1) = low + fraction/10, in integers.
    low, fraction = divmod(tenths * (count - 1), 10)
    base = smallest(low)
    if fraction == 0:
        return base / MICROS
    step = smallest(low + 1) - base
    return (base * 10 + step * fraction) / (10 * MICROS)
