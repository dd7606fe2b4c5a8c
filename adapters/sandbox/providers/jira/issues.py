"""The site's issues as of the sandbox clock: the seeded work with the overlay applied.

An issue deleted through the overlay (``mutations``) is gone from search and changelog alike:
Jira keeps no tombstone and has no deletion feed. An appended status change enters the
changelog and moves ``updated``; a touch moves ``updated`` only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType

from adapters.sandbox.sandbox import Sandbox
from adapters.sandbox.seed.dataset import Dataset
from adapters.sandbox.seed.model import Assignment, Change, Edit, Issue, history_until

ISSUE_BASE = 10_000


@dataclass(frozen=True)
class IssueState:
    issue: Issue
    statuses: tuple[Change, ...]  # entered so far, oldest first: the first is creation's
    assignments: tuple[Assignment, ...]  # made so far
    edits: tuple[Edit, ...]  # made so far
    summary: str  # as it reads now
    updated: datetime

    @property
    def id(self) -> str:
        return str(ISSUE_BASE + self.issue.key)

    @property
    def key(self) -> str:
        return f"{self.issue.project}-{self.issue.number}"

    @property
    def status(self) -> str:
        return self.statuses[-1].value

    @property
    def assignee(self) -> int:
        return self.assignments[-1].to if self.assignments else self.issue.assignee


def state(sandbox: Sandbox, issue: Issue, now: datetime) -> IssueState | None:
    """The issue as Jira shows it at ``now``; None before it exists or once it is deleted."""
    overlay = sandbox.mutations
    if issue.created > now or overlay.deleted_at("issue", issue.key, now) is not None:
        return None
    statuses = history_until(overlay.history("issue", issue.key, issue.statuses), now)
    assignments = tuple(a for a in issue.assignments if a.at <= now)
    edits = tuple(e for e in issue.edits if e.at <= now)
    moments = [c.at for c in statuses] + [a.at for a in assignments] + [e.at for e in edits]
    pending = (e.before for e in issue.edits if e.field == "summary" and e.at > now)
    return IssueState(
        issue=issue,
        statuses=statuses,
        assignments=assignments,
        edits=edits,
        summary=next(pending, issue.summary),
        updated=overlay.modified_at("issue", issue.key, max(moments), now),
    )


def visible(sandbox: Sandbox, now: datetime) -> Iterator[IssueState]:
    for issue in sandbox.dataset.issues:
        found = state(sandbox, issue, now)
        if found is not None:
            yield found


def find(sandbox: Sandbox, id_or_key: str, now: datetime) -> IssueState | None:
    """By id ("10042") or key ("ENG-43"), as Jira's ``{issueIdOrKey}`` paths take either."""
    issue = _by_name(sandbox.dataset).get(id_or_key)
    # The index holds the seeded issues only; the overlay (a deletion) is applied by ``state``.
    return state(sandbox, issue, now) if issue is not None else None


@lru_cache(maxsize=4)
def _by_name(dataset: Dataset) -> Mapping[str, Issue]:
    """Every issue under its id and its key (a changelog call per issue must not scan all)."""
    return MappingProxyType(
        {
            name: issue
            for issue in dataset.issues
            for name in (str(ISSUE_BASE + issue.key), f"{issue.project}-{issue.number}")
        }
    )
