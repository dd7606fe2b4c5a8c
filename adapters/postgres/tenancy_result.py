"""What a tenancy check answers, shared by the check modules."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.postgres.jobs_schema import JOBS_SCHEMA
from adapters.postgres.roles import SCHEMA

APP_SCHEMAS = (SCHEMA, JOBS_SCHEMA)


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    detail: str = ""


def result(name: str, offenders: list[str]) -> CheckResult:
    return CheckResult(name, not offenders, ", ".join(offenders))
