"""``atlas status`` as a screen: a line per part, marked by its worst finding, then the reasons."""

from __future__ import annotations

from datetime import datetime

import click

from application.operations.status import Finding, StatusFacts, Thresholds, age

PARTS = ("database", "migrations", "workers", "queue", "connections", "feed", "keys", "backups")
STATUSES = ("active", "needs_reauth", "revoked", "error")
_MARKS = {"ok": ("ok", "green"), "warn": ("WARN", "yellow"), "fail": ("FAIL", "red")}


def screen(
    facts: StatusFacts | None, findings: list[Finding], limits: Thresholds, *, now: datetime
) -> str:
    lines = [click.style(f"Atlas status, {now:%Y-%m-%d %H:%M:%S} UTC", bold=True)]
    details = {"database": "could not be read (below)"}
    if facts is not None:
        details = _details(facts, limits)
    for part in PARTS:
        if part in details:
            lines.append(f"  {part:<12} {_mark(part, findings)}  {details[part]}")
    if findings:
        lines.append("Needs attention:" if _failed(findings) else "Worth a look:")
        ordered = sorted(findings, key=lambda f: f.severity != "fail")  # what must be done first
        lines += [f"  {_MARKS[f.severity][0]:<4} {f.part}: {f.reason}" for f in ordered]
    else:
        lines.append("Healthy.")
    return "\n".join(lines)


def _failed(findings: list[Finding]) -> bool:
    return any(f.severity == "fail" for f in findings)


def _mark(part: str, findings: list[Finding]) -> str:
    severities = {f.severity for f in findings if f.part == part}
    worst = "fail" if "fail" in severities else "warn" if "warn" in severities else "ok"
    text, colour = _MARKS[worst]
    return click.style(f"{text:<4}", fg=colour)


def _details(facts: StatusFacts, limits: Thresholds) -> dict[str, str]:
    db = facts.database
    current = "at head" if db.revision == db.head else f"expected {db.head}"
    return {
        "database": f"reachable, PostgreSQL {db.server_version}, {_size(db.size_bytes)}",
        "migrations": f"{db.revision or 'none applied'} ({current})",
        "workers": _workers(facts),
        "queue": _queue(facts),
        "connections": _connections(facts),
        "feed": f"{facts.feed_listeners} listener connection(s) (one per API process)",
        "keys": _keys(facts, limits),
        "backups": _backups(facts),
    }


def _workers(facts: StatusFacts) -> str:
    w = facts.workers
    tick = "never" if w.tick_seconds_ago is None else f"{age(w.tick_seconds_ago)} ago"
    stale = ""
    if w.stale_running:
        stale = f", {w.stale_running} running job(s) whose worker stopped beating"
    return f"last scheduler tick {tick}; {w.busy} worker(s) running a job{stale}"


def _queue(facts: StatusFacts) -> str:
    if not facts.queue:
        return "empty"
    kinds = []
    for kind in facts.queue:
        oldest = "" if kind.oldest_seconds is None else f", oldest {age(kind.oldest_seconds)}"
        kinds.append(
            f"{kind.entrypoint}: {kind.queued} due{oldest}, {kind.later} later, "
            f"{kind.running} running"
        )
    return "; ".join(kinds)


def _connections(facts: StatusFacts) -> str:
    c = facts.connections
    counts = ", ".join(f"{c.by_status.get(s, 0)} {s}" for s in STATUSES)
    if c.stalest is None:
        return f"{counts}; no active connection"
    since = "never synced, created" if c.stalest.never_succeeded else "last synced"
    return f"{counts}; stalest: {c.stalest.provider}, {since} {age(c.stalest.age_seconds)} ago"


def _keys(facts: StatusFacts, limits: Thresholds) -> str:
    described = [
        f"vault v{k.version} {k.state} ({k.age_days:.0f} d, {k.encryptions:,} sealed)"
        for k in facts.key_versions
        if k.state != "retired"
    ] or ["no vault key version yet (made when the service first starts)"]
    signing = facts.signing_keys
    if signing is not None and signing.signing_age_days is not None:
        older = f", {signing.verifying} older still verifying" if signing.verifying else ""
        described.append(f"access-token signing key {signing.signing_age_days:.0f} d{older}")
    return f"{'; '.join(described)}; rotation period {limits.key_rotate_days:.0f} d"


def _backups(facts: StatusFacts) -> str:
    b = facts.backups
    verified = "no verified backup recorded"
    if b.verified_age_seconds is not None:
        verified = f"last verified {age(b.verified_age_seconds)} ago"
    if not b.directory_known:
        return f"{verified}; no backup directory set (ATLAS_BACKUP_DIR)"
    if b.newest_taken_age_seconds is None:
        return f"{verified}; no backup file yet"
    return f"{verified}; newest file taken {age(b.newest_taken_age_seconds)} ago (unverified)"


def _size(size: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"
