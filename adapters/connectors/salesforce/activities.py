"""Salesforce's stage changes, tasks and events as activities: pure functions, metadata only.

A stage change (OpportunityHistory) is the stage entered, by whoever made it, when it was
made. A task is what it logged ("Email logged", "Call logged", "Task completed") and an event
a "Meeting held", each by its owner and linked to who and what it concerns. Their subjects and
descriptions are not in the allow-list: they are never read, so never stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time

from adapters.connectors.salesforce.normalise import Parts, Source, attribute_value
from adapters.connectors.salesforce.records import Event, OpportunityHistory, Task
from domain.graph.content import AttributeValue
from domain.graph.model import ActivityRecord, GraphBatch, Link

EMAIL_LOGGED = "Email logged"
CALL_LOGGED = "Call logged"
TASK_COMPLETED = "Task completed"
TASK_OPENED = "Task opened"
MEETING_HELD = "Meeting held"
CALL_HELD = "Call held"
# What a link to each kind of record means on an activity.
QUALIFIERS = {"opportunity": "deal", "account": "company", "contact": "contact"}


def stage_changes(source: Source, items: Iterable[OpportunityHistory]) -> GraphBatch:
    parts, activities = Parts(source), []
    for row in items:
        if not row.stage_name:
            continue  # an amount or close-date change: no stage was entered
        deal = parts.mention(row.opportunity_id)
        activities.append(
            ActivityRecord(
                ref=source.ref("history", row.id),
                type=row.stage_name,
                occurred_at=row.created_date,
                actor=parts.user(row.created_by_id),
                attributes=_attributes(
                    stage=row.stage_name, amount=row.amount, probability=row.probability
                ),
                links=(Link(object=deal, qualifier="deal"),) if deal else (),
                url=source.url(row.opportunity_id),
            )
        )
    return GraphBatch(entities=tuple(parts.entities), activities=tuple(activities))


def tasks(source: Source, items: Iterable[Task]) -> GraphBatch:
    parts, activities = Parts(source), []
    for task in items:
        activities.append(
            ActivityRecord(
                ref=source.ref("task", task.id),
                type=task_kind(task),
                occurred_at=task_time(task),
                actor=parts.user(task.owner_id),
                attributes=_attributes(
                    status=task.status, task_type=task.type, task_subtype=task.task_subtype
                ),
                links=_links(parts, task.who_id, task.what_id),
                url=source.url(task.id),
            )
        )
    return GraphBatch(entities=tuple(parts.entities), activities=tuple(activities))


def events(source: Source, items: Iterable[Event]) -> GraphBatch:
    parts, activities = Parts(source), []
    for event in items:
        start, end = event.start_date_time, event.end_date_time
        minutes = int((end - start).total_seconds() // 60) if start and end else None
        activities.append(
            ActivityRecord(
                ref=source.ref("event", event.id),
                type=CALL_HELD if (event.type or "").lower() == "call" else MEETING_HELD,
                occurred_at=start or event.created_date,
                actor=parts.user(event.owner_id),
                attributes=_attributes(event_type=event.type, duration_minutes=minutes),
                links=_links(parts, event.who_id, event.what_id),
                url=source.url(event.id),
            )
        )
    return GraphBatch(entities=tuple(parts.entities), activities=tuple(activities))


def task_kind(task: Task) -> str:
    """What a task is on a map: what it logged, else whether it is done."""
    kind = (task.task_subtype or task.type or "").lower()
    if kind in ("email", "listemail"):
        return EMAIL_LOGGED
    if kind == "call":
        return CALL_LOGGED
    return TASK_COMPLETED if (task.status or "").lower() == "completed" else TASK_OPENED


def task_time(task: Task) -> datetime:
    """``ActivityDate`` is a day (the one it happened on, or is due): the moment the task was
    logged when it falls on that day, else the start of the day of a completed task; an open
    task happened when it was created (its due day is still to come)."""
    day = task.activity_date
    if day is None or day == task.created_date.astimezone(UTC).date():
        return task.created_date
    if task_kind(task) == TASK_OPENED:
        return task.created_date
    return datetime.combine(day, time(0), tzinfo=UTC)


def _links(parts: Parts, who_id: str | None, what_id: str | None) -> tuple[Link, ...]:
    links = []
    for record_id in (who_id, what_id):
        ref = parts.mention(record_id)
        if ref is not None:
            qualifier = QUALIFIERS.get(ref.source_id.split(":", 1)[0], "related")
            links.append(Link(object=ref, qualifier=qualifier))
    return tuple(links)


def _attributes(**values: AttributeValue) -> dict[str, AttributeValue]:
    return {name: attribute_value(value) for name, value in values.items() if value is not None}
