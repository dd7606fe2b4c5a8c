"""A deployment's health as facts read from its database, and the verdict an operator acts on.

The facts are counts, ages, providers and version numbers: nothing that names a tenant, a
person or a record, so the whole screen may be pasted into a ticket. The verdict is a list of
findings; a ``fail`` finding means someone must act now (exit status 1), a ``warn`` one is worth
a look but not a page.
"""

from __future__ import annotations

from typing import Literal

import msgspec

Severity = Literal["fail", "warn"]

DAY = 86_400.0


class DatabaseFacts(msgspec.Struct, frozen=True, kw_only=True):
    server_version: str
    size_bytes: int
    revision: str | None  # None: never migrated
    head: str  # what this code expects


class JobKind(msgspec.Struct, frozen=True, kw_only=True):
    """One entrypoint's jobs: due and waiting, waiting for a later time, being worked on."""

    entrypoint: str
    queued: int
    later: int
    running: int
    oldest_seconds: float | None  # how long the longest-waiting due job has waited


class WorkerFacts(msgspec.Struct, frozen=True, kw_only=True):
    """PgQueuer keeps no registry of workers. What the database does show: when a worker's
    scheduler last ran the every-minute sync tick, and how many workers (queue managers) hold a
    running job whose heartbeat is recent."""

    tick_seconds_ago: float | None  # None: no worker has ever ticked on this database
    busy: int
    stale_running: int  # running jobs whose worker stopped beating (picked up again later)


class StalestSync(msgspec.Struct, frozen=True, kw_only=True):
    provider: str
    age_seconds: float
    never_succeeded: bool  # the age is counted from the connection's creation


class ConnectionFacts(msgspec.Struct, frozen=True, kw_only=True):
    by_status: dict[str, int]
    stalest: StalestSync | None  # among active connections
    stale: int  # active connections past the staleness threshold


class KeyVersionFacts(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    state: str
    encryptions: int
    age_days: float


class BackupFacts(msgspec.Struct, frozen=True, kw_only=True):
    # No verification is recorded anywhere yet (a restore reports it and exits): only the
    # newest backup file taken, when the backup directory is known.
    verified_age_seconds: float | None = None
    newest_taken_age_seconds: float | None = None
    directory_known: bool = False


class SigningKeyFacts(msgspec.Struct, frozen=True, kw_only=True):
    """The access-token signing keyring (a file, not rows): the signing key's age, how many
    older keys still verify, or why the keyring could not be read."""

    signing_age_days: float | None = None
    verifying: int = 0
    problem: str | None = None


class StatusFacts(msgspec.Struct, frozen=True, kw_only=True):
    database: DatabaseFacts
    queue: list[JobKind]
    workers: WorkerFacts
    connections: ConnectionFacts
    feed_listeners: int
    key_versions: list[KeyVersionFacts]
    # Files, not rows: filled in beside the database.
    backups: BackupFacts = msgspec.field(default_factory=BackupFacts)
    signing_keys: SigningKeyFacts | None = None  # None: no keyring yet (development)


class Thresholds(msgspec.Struct, frozen=True, kw_only=True):
    queue_age_seconds: float = 900.0  # a due job waiting this long: workers are not keeping up
    stale_sync_seconds: float = 3_600.0  # four of the default 15-minute sync intervals
    worker_silence_seconds: float = 180.0  # the tick runs every minute on some worker
    key_rotate_days: float = 365.0  # the operator's rotation period (Atlas rotates by count)
    key_alert_encryptions: int = 2**30  # ALERT_AT in domain.vault.model
    backup_age_seconds: float = 2 * DAY  # a daily backup missed twice


class Finding(msgspec.Struct, frozen=True, kw_only=True):
    severity: Severity
    part: str  # which line of the screen
    reason: str


def assess(facts: StatusFacts, limits: Thresholds) -> list[Finding]:
    """Every reason for attention; empty when the deployment is healthy."""
    return [
        *_database(facts.database),
        *_queue(facts.queue, facts.workers, limits),
        *_connections(facts.connections, limits),
        *_keys(facts.key_versions, limits),
        *_signing(facts.signing_keys, limits),
        *_backups(facts.backups, limits),
    ]


def database_fault(reason: str) -> Finding:
    """The database did not answer, or refused what the status reads."""
    return _fail("database", reason)


def _fail(part: str, reason: str) -> Finding:
    return Finding(severity="fail", part=part, reason=reason)


def _warn(part: str, reason: str) -> Finding:
    return Finding(severity="warn", part=part, reason=reason)


def _database(database: DatabaseFacts) -> list[Finding]:
    if database.revision == database.head:
        return []
    at = database.revision or "nothing"
    return [_fail("migrations", f"schema at {at}, this release expects {database.head}")]


def _queue(kinds: list[JobKind], workers: WorkerFacts, limits: Thresholds) -> list[Finding]:
    found = []
    limit = limits.queue_age_seconds
    for kind in kinds:
        if kind.oldest_seconds is not None and kind.oldest_seconds > limit:
            waited = age(kind.oldest_seconds)
            reason = (
                f"{kind.entrypoint}: the oldest due job has waited {waited} (limit {age(limit)})"
            )
            found.append(_fail("queue", reason))
    waiting = sum(k.queued for k in kinds)
    tick = workers.tick_seconds_ago
    silent = tick is None or tick > limits.worker_silence_seconds
    if waiting and silent and not workers.busy:
        found.append(_warn("workers", f"{waiting} job(s) due and no worker heard from"))
    return found


def _connections(connections: ConnectionFacts, limits: Thresholds) -> list[Finding]:
    found = []
    if connections.stale:
        over = age(limits.stale_sync_seconds)
        reason = (
            f"{connections.stale} active connection(s) without a successful sync for over {over}"
        )
        found.append(_fail("connections", reason))
    troubled = {s: n for s, n in connections.by_status.items() if s in ("needs_reauth", "error")}
    if troubled:
        counts = ", ".join(f"{n} {s}" for s, n in sorted(troubled.items()))
        found.append(_warn("connections", f"{counts}: their owners must reconnect them"))
    return found


def _keys(versions: list[KeyVersionFacts], limits: Thresholds) -> list[Finding]:
    found = []
    for key in versions:
        v = key.version
        if key.state == "active" and key.age_days > limits.key_rotate_days:
            period = f"rotation period {limits.key_rotate_days:.0f}"
            reason = f"vault key version {v} has sealed for {key.age_days:.0f} days ({period})"
            found.append(_warn("keys", f"{reason}: atlas keys rotate"))
        if key.state == "active" and key.encryptions > limits.key_alert_encryptions:
            reason = f"vault key version {v} sealed {key.encryptions:,} values"
            found.append(_warn("keys", f"{reason}: it is rotated automatically at 2^31"))
        if key.state == "decrypt_only":
            then = f"atlas keys reencrypt, then atlas keys retire {v}"
            found.append(_warn("keys", f"vault key version {v} still opens old values: {then}"))
    return found


def _signing(keys: SigningKeyFacts | None, limits: Thresholds) -> list[Finding]:
    if keys is None:
        return []
    if keys.problem is not None:
        return [_warn("keys", f"access-token keyring: {keys.problem}")]
    if keys.signing_age_days is not None and keys.signing_age_days > limits.key_rotate_days:
        days = f"{keys.signing_age_days:.0f} days"
        reason = f"the access-token signing key has signed for {days}"
        return [_warn("keys", f"{reason}: atlas keys rotate-jwt")]
    return []


def _backups(backups: BackupFacts, limits: Thresholds) -> list[Finding]:
    newest = backups.newest_taken_age_seconds
    if backups.directory_known and (newest is None or newest > limits.backup_age_seconds):
        taken = "no backup file yet" if newest is None else f"the newest is {age(newest)} old"
        return [_warn("backups", taken)]
    return []


def age(seconds: float) -> str:
    """An age an operator reads at a glance: the largest unit that fits."""
    for unit, size in (("d", DAY), ("h", 3_600.0), ("min", 60.0)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.1f} s"
