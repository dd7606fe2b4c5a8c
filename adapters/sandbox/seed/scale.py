"""How big the seeded company is: one factor multiplies every count of people and work.

Scale 1 is the standard company (the one every test knows, bit for bit). A larger scale keeps
the same time span, so the company gets busier rather than older: more accounts and contacts,
more employees, and proportionally more deals, tickets, issues, mail, meetings and chat.
"""

from __future__ import annotations

import math

MIN_SCALE = 1.0  # below 1 the company would lose the teams and key accounts its stories need
MAX_SCALE = 100.0  # ~1,000,000 records: past that, generation takes minutes and gigabytes
# The benchmark preset: at least 100,000 records across the seven providers as of the end of
# the data, and still that many two weeks before it (what the development clock sees).
LARGE_SCALE = 16.0
PRESETS = {"standard": 1.0, "large": LARGE_SCALE}


class ScaleError(ValueError):
    pass


def scaled(count: int, scale: float) -> int:
    """``count`` at ``scale``: exactly ``count`` at 1, never less than one."""
    return count if scale == 1 else max(1, round(count * scale))


def parse_scale(value: str | float) -> float:
    """A scale from a number or a preset name; ScaleError says what is accepted."""
    text = str(value).strip().lower()
    if text in PRESETS:
        return PRESETS[text]
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not MIN_SCALE <= number <= MAX_SCALE:  # also refuses nan and inf
        raise ScaleError(
            f"{value!r} is not a scale: give a number from {MIN_SCALE:g} to {MAX_SCALE:g} "
            f"(1 is the standard company) or one of {', '.join(PRESETS)}"
        )
    return number
