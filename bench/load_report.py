"""The load benchmark's table: latency per endpoint and run, then every check and its count."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from bench.stats import line, percentile

if TYPE_CHECKING:
    from bench.load import Phase

_LOGGED = re.compile(r"^(?:ERROR|CRITICAL|Traceback).*$|^\w+(?:\.\w+)*(?:Error|Exception): .*$",
                     re.MULTILINE)  # fmt: skip


def report(
    phases: list[Phase], ends: dict[str, dict[str, str]], alive: list[bool], ready: list[bool],
    logs: list[Path],
) -> dict[str, float]:  # fmt: skip
    figures: dict[str, float] = {}
    for phase in phases:
        figures |= _phase(phase)
    print()
    line("processes alive at the end (2 APIs, 2 workers; none restarted)", f"{sum(alive)} / 4")
    for log, up in zip(logs, alive, strict=True):
        if not up:  # why it ended is the finding
            print(f"      {log.name} ended; its last lines:")
            print("\n".join(f"        {x[:200]}" for x in log.read_text().splitlines()[-25:]))
    line("API processes ready at the end (/ready 200)", f"{sum(ready)} / 2")
    figures |= _compare(ends)
    _explain(phases, ends)
    errors: Counter[str] = Counter()
    for log in logs:
        for found in _LOGGED.findall(log.read_text(errors="replace")):
            errors[f"{log.name}: {found[:140]}"] += 1
    line("error lines in the processes' logs", str(sum(errors.values())))
    for text, count in errors.most_common(8):
        print(f"      {count:>4} x {text}")
    figures["alive"] = float(sum(alive))
    return figures


def _phase(phase: Phase) -> dict[str, float]:
    ledger, name = phase.ledger, phase.name
    done = sum(o.finished for o in phase.outcomes)
    print(f"\n  run '{name}': {done} of {len(phase.outcomes)} tenants finished in "
          f"{phase.seconds:.0f} s" + (f"; database stopped at {phase.restart[0]:.0f} s, "
          f"up again at {phase.restart[1]:.0f} s" if phase.restart else ""))  # fmt: skip
    print(f"    {'endpoint':<36} {'requests':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}  "
          "non-2xx")  # fmt: skip
    for label in sorted(ledger.latencies):
        values = ledger.latencies[label]
        other = {s: c for (lb, s), c in ledger.statuses.items() if lb == label and s >= 400}
        print(f"    {label:<36} {len(values):>8} {percentile(values, 50):>8.1f} "
              f"{percentile(values, 99):>8.1f} {max(values):>8.1f}  "
              + " ".join(f"{s}x{c}" for s, c in sorted(other.items())))  # fmt: skip
    bad = sum(c for (status, _), c in ledger.problems.items() if status != 503)
    busy = sum(c for (status, _), c in ledger.problems.items() if status == 503)
    line(f"[{name}] 5xx other than 503 (goal 0)", str(bad))
    codes = [f"{code} x{c}" for (status, code), c in ledger.problems.items() if status == 503]
    line(f"[{name}] 503 (back-pressure or database down), by code", ", ".join(codes) or "0")
    for code, body in ledger.first_5xx.items():
        print(f"      first {code}: {body[:200]}")
    line(f"[{name}] requests with no answer (connection errors)",
         str(sum(ledger.transport.values())))  # fmt: skip
    cross = ledger.cross_tenant_ids()
    line(f"[{name}] answers with another tenant's marker / ids (goal 0)",
         f"{len(ledger.leaks)} / {len(cross)}")  # fmt: skip
    for leak in (ledger.leaks + cross)[:5]:
        print(f"      {leak}")
    runs = Counter(status for o in phase.outcomes for status in o.runs)
    line(f"[{name}] sync runs by outcome", ", ".join(f"{s} {c}" for s, c in runs.items()))
    for outcome in [o for o in phase.outcomes if not o.finished][:5]:
        print(f"      tenant {outcome.index} unfinished: {outcome.failure}")
    return {f"{name}_5xx": float(bad), f"{name}_503": float(busy),
            f"{name}_leaks": float(len(ledger.leaks) + len(cross)),
            f"{name}_finished": float(done)}  # fmt: skip


def _compare(ends: dict[str, dict[str, str]]) -> dict[str, float]:
    """Every tenant should end alike: the same company synced, the same shape imported."""
    steady, restart = Counter(ends["steady"].values()), Counter(ends["restart"].values())
    reference = steady.most_common(1)[0][0] if steady else ""
    line("end state of the steady run's tenants (count x signature)",
         "; ".join(f"{c} x {s}" for s, c in steady.items()))  # fmt: skip
    line("end state of the restart run's tenants (count x signature)",
         "; ".join(f"{c} x {s}" for s, c in restart.items()))  # fmt: skip
    # A tenant that never got as far as an end state counts as differing too.
    differ = max(len(ends["steady"]), sum(restart.values())) - restart.get(reference, 0)
    line("restart-run tenants whose cursors or counts differ from the steady run (goal 0)",
         str(differ))  # fmt: skip
    return {"end_state_differs": float(differ)}


def _explain(phases: list[Phase], ends: dict[str, dict[str, str]]) -> None:
    """What each tenant whose end differs from the most common one went through."""
    outcomes = {o.marker: o for phase in phases for o in phase.outcomes}
    for name, states in ends.items():
        usual = Counter(states.values()).most_common(1)[0][0] if states else ""
        for tenant, state in states.items():
            if state != usual:
                o = outcomes[tenant.rsplit(" ", 1)[-1]]
                print(f"      [{name}] {tenant}: {state}; finished {o.finished}, "
                      f"runs {o.runs}, {o.failure[:120] or 'no failure'}")  # fmt: skip
