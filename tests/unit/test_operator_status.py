"""The verdict of ``atlas status``: which facts need someone now (fail, exit 1), which are
worth a look (warn), and that a healthy deployment has no finding at all."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from application.operations.status import (
    DAY,
    BackupFacts,
    ConnectionFacts,
    DatabaseFacts,
    Finding,
    JobKind,
    KeyVersionFacts,
    SigningKeyFacts,
    StatusFacts,
    Thresholds,
    WorkerFacts,
    age,
    assess,
)

pytestmark = pytest.mark.unit

LIMITS = Thresholds()


def healthy(**changes: Any) -> StatusFacts:
    facts = StatusFacts(
        database=DatabaseFacts(server_version="16.4", size_bytes=1, revision="0017", head="0017"),
        queue=[
            JobKind(
                entrypoint="sync.connection",
                queued=3,
                later=2,
                running=1,
                oldest_seconds=LIMITS.queue_age_seconds - 1,
            )
        ],
        workers=WorkerFacts(tick_seconds_ago=20.0, busy=1, stale_running=0),
        connections=ConnectionFacts(by_status={"active": 4, "revoked": 1}, stalest=None, stale=0),
        feed_listeners=2,
        key_versions=[KeyVersionFacts(version=1, state="active", encryptions=10, age_days=30.0)],
        backups=BackupFacts(directory_known=True, newest_taken_age_seconds=DAY / 2),
    )
    return msgspec.structs.replace(facts, **changes)


def parts(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.severity, f.part) for f in findings]


def test_a_healthy_deployment_has_no_finding() -> None:
    assert assess(healthy(), LIMITS) == []


def test_a_schema_behind_the_code_fails() -> None:
    behind = DatabaseFacts(server_version="16.4", size_bytes=1, revision="0016", head="0017")
    never = msgspec.structs.replace(behind, revision=None)

    assert parts(assess(healthy(database=behind), LIMITS)) == [("fail", "migrations")]
    (finding,) = assess(healthy(database=never), LIMITS)
    assert finding.reason == "schema at nothing, this release expects 0017"


def test_a_due_job_waiting_past_the_limit_fails_and_a_silent_fleet_is_named() -> None:
    late = JobKind(entrypoint="graph.import", queued=1, later=0, running=0,
                   oldest_seconds=LIMITS.queue_age_seconds + 1)  # fmt: skip
    silent = WorkerFacts(tick_seconds_ago=LIMITS.worker_silence_seconds + 1, busy=0,
                         stale_running=0)  # fmt: skip

    assert parts(assess(healthy(queue=[late]), LIMITS)) == [("fail", "queue")]
    assert parts(assess(healthy(queue=[late], workers=silent), LIMITS)) == [
        ("fail", "queue"), ("warn", "workers"),
    ]  # fmt: skip
    # Nothing due: a silent fleet is idle, not late.
    assert assess(healthy(queue=[], workers=silent), LIMITS) == []


def test_stale_syncs_fail_and_connections_needing_their_owner_warn() -> None:
    stale = ConnectionFacts(by_status={"active": 2}, stalest=None, stale=2)
    owners = ConnectionFacts(by_status={"active": 2, "needs_reauth": 1, "error": 3},
                             stalest=None, stale=0)  # fmt: skip

    assert parts(assess(healthy(connections=stale), LIMITS)) == [("fail", "connections")]
    (finding,) = assess(healthy(connections=owners), LIMITS)
    assert (finding.severity, finding.reason) == (
        "warn", "3 error, 1 needs_reauth: their owners must reconnect them",
    )  # fmt: skip


def test_key_versions_due_for_rotation_or_retirement_warn() -> None:
    old = KeyVersionFacts(version=2, state="active", encryptions=10,
                          age_days=LIMITS.key_rotate_days + 1)  # fmt: skip
    busy = msgspec.structs.replace(old, age_days=1.0, encryptions=2**30 + 1)
    leftover = KeyVersionFacts(version=1, state="decrypt_only", encryptions=5, age_days=900.0)
    retired = msgspec.structs.replace(leftover, state="retired")

    assert parts(assess(healthy(key_versions=[old]), LIMITS)) == [("warn", "keys")]
    assert parts(assess(healthy(key_versions=[busy]), LIMITS)) == [("warn", "keys")]
    (finding,) = assess(healthy(key_versions=[leftover, retired]), LIMITS)
    assert finding.reason.endswith("atlas keys retire 1")
    assert assess(healthy(key_versions=[retired]), LIMITS) == []


def test_an_old_or_unreadable_access_token_keyring_warns() -> None:
    old = SigningKeyFacts(signing_age_days=LIMITS.key_rotate_days + 1, verifying=1)
    fresh = SigningKeyFacts(signing_age_days=2.0, verifying=1)
    broken = SigningKeyFacts(problem="cannot read the JWT keyring /etc/atlas/jwt.json")

    (finding,) = assess(healthy(signing_keys=old), LIMITS)
    assert finding.reason.endswith("atlas keys rotate-jwt")
    assert assess(healthy(signing_keys=fresh), LIMITS) == []
    assert parts(assess(healthy(signing_keys=broken), LIMITS)) == [("warn", "keys")]


def test_an_old_or_missing_backup_warns_only_where_backups_are_kept() -> None:
    old = BackupFacts(directory_known=True, newest_taken_age_seconds=3 * DAY)
    none = BackupFacts(directory_known=True)

    assert parts(assess(healthy(backups=old), LIMITS)) == [("warn", "backups")]
    assert parts(assess(healthy(backups=none), LIMITS)) == [("warn", "backups")]
    assert assess(healthy(backups=BackupFacts()), LIMITS) == []


def test_ages_read_in_the_largest_unit_that_fits() -> None:
    assert [age(s) for s in (0.25, 90.0, 5400.0, 3 * DAY)] == [
        "0.2 s", "1.5 min", "1.5 h", "3.0 d",
    ]  # fmt: skip
