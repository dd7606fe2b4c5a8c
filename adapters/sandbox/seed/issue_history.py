"""Engineering issues handed to a reviewer and retitled after creation.

Drawn from a random stream of each issue's own (seeded by the issue's number and creation
time), never from the company's stream: adding this history left every other seeded record
exactly as it was.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from adapters.sandbox.seed.canary import Canaries
from adapters.sandbox.seed.model import Assignment, Edit, Issue
from adapters.sandbox.seed.timeline import Timeline

REVIEW_HANDOVER = 0.5  # of the issues that reach review, the share handed to a reviewer
RETITLED = 0.3


def with_history(
    issue: Issue, timeline: Timeline, engineers: list[int], canaries: Canaries
) -> Issue:
    rng = random.Random(f"jira-issue-history:{issue.number}:{issue.created.isoformat()}")
    marks = Canaries(rng)
    assignments = _review_handover(rng, issue, timeline, engineers)
    edits = _retitle(rng, issue, timeline, marks)
    canaries.values.extend(marks.values)
    return replace(issue, assignments=assignments, edits=edits)


def _review_handover(
    rng: random.Random, issue: Issue, timeline: Timeline, engineers: list[int]
) -> tuple[Assignment, ...]:
    """In review, the assignee hands the issue to a reviewer (before it is done, if it is)."""
    names = [c.value for c in issue.statuses]
    if "In Review" not in names or rng.random() >= REVIEW_HANDOVER:
        return ()
    index = names.index("In Review")
    at = issue.statuses[index].at + timedelta(seconds=rng.randrange(5 * 60, 2 * 3600))
    following = issue.statuses[index + 1].at if index + 1 < len(issue.statuses) else None
    if not timeline.within(at) or (following is not None and at >= following):
        return ()
    reviewer = rng.choice([e for e in engineers if e != issue.assignee] or engineers)
    return (Assignment(to=reviewer, at=at, by=issue.assignee),)


def _retitle(
    rng: random.Random, issue: Issue, timeline: Timeline, marks: Canaries
) -> tuple[Edit, ...]:
    """The reporter rewrites a draft title: the changelog then carries both titles."""
    if rng.random() >= RETITLED:
        return ()
    at = issue.created + timedelta(seconds=rng.randrange(10 * 60, 36 * 3600))
    if not timeline.within(at):
        return ()
    before = marks.mark("issue-summary-draft", "Draft title")
    return (Edit(field="summary", before=before, at=at, by=issue.reporter),)
