"""CPU used by the processes of a benchmark, and by the whole machine, between two moments.

The machine is shared with other sessions' test suites: what the machine used beyond our own
processes says how much of the two cores a figure was measured without.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    # The command name may hold spaces and parentheses: the fields start after the last ")".
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _seconds(pid: int) -> float:
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime


def _family(parent: int) -> dict[int, float]:
    """``parent`` and its children (a postmaster and its backends): CPU seconds each."""
    found = {parent: _seconds(parent)}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat(int(entry.name))[1]) == parent:
                    found[int(entry.name)] = _seconds(int(entry.name))
            except (OSError, IndexError):
                continue  # gone meanwhile
    return found


def _machine() -> float:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / _TICKS  # all but idle and iowait


class CpuMeter:
    """Named processes (a process, or a parent with its children), this process, the machine."""

    def __init__(self, processes: dict[str, int], families: dict[str, int]) -> None:
        self._processes, self._families = processes, families
        self._start = self._sample()

    def _sample(self) -> tuple[float, dict[str, dict[int, float]]]:
        sample = {name: {pid: _seconds(pid)} for name, pid in self._processes.items()}
        sample |= {name: _family(pid) for name, pid in self._families.items()}
        sample["bench"] = {0: time.process_time()}
        sample["machine"] = {0: _machine()}
        return time.monotonic(), sample

    def percent(self) -> dict[str, float]:
        """Each name's share of one core since the meter started, in percent."""
        (began, before), (ended, after) = self._start, self._sample()
        elapsed = ended - began
        return {
            name: sum(s - before[name].get(pid, 0.0) for pid, s in now.items()) / elapsed * 100
            for name, now in after.items()
        }
