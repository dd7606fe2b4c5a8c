"""The feed events the use cases announce, built in one place so their shape stays one shape.

Every event says what changed by id and status, never by content: a connection's id and
provider, a run's counts, a revision and the object types it touched.
"""

from __future__ import annotations

from typing import Any

from domain.feed.events import Audience, EventKind, FeedEvent
from domain.identity.model import Role
from domain.integrations.connection import Connection
from domain.shared.ids import UserId
from domain.sync.run import PageCounts, SyncRun


def connection_status(connection: Connection) -> FeedEvent:
    data = {
        "connection_id": str(connection.id),
        "provider": connection.provider,
        "status": connection.status.value,
        "shared": connection.shared,
        "error": connection.last_error,
    }
    return FeedEvent.about_source(EventKind.CONNECTION_STATUS, connection.private_to(), data)


def sync_event(kind: EventKind, run: SyncRun, private_to: UserId | None, **extra: Any) -> FeedEvent:
    data: dict[str, Any] = {
        "run_id": str(run.id),
        "connection_id": str(run.connection_id),
        "provider": run.provider,
        "trigger": run.trigger.value,
        "status": run.status.value,
        "attempts": run.attempts,
        **extra,
    }
    return FeedEvent.about_source(kind, private_to, data)


def sync_page(
    run: SyncRun, private_to: UserId | None, stream: str, counts: PageCounts
) -> FeedEvent:
    page = {
        "pages": counts.pages,
        "fetched": counts.fetched,
        "new": counts.new,
        "changed": counts.changed,
        "deleted": counts.deleted,
    }
    return sync_event(EventKind.SYNC_PROGRESS, run, private_to, stream=stream, page=page)


def sync_waiting(run: SyncRun, private_to: UserId | None) -> FeedEvent:
    """A run waiting to come back (throttled, provider unreachable): why, and until when."""
    resume_at = run.resume_at.isoformat() if run.resume_at else None
    data = {"reason": run.error, "resume_at": resume_at}
    return sync_event(EventKind.SYNC_PROGRESS, run, private_to, **data)


def sync_ended(run: SyncRun, private_to: UserId | None) -> FeedEvent:
    totals = {
        "fetched": sum(s.fetched for s in run.streams),
        "new": sum(s.records_new for s in run.streams),
        "changed": sum(s.records_changed for s in run.streams),
        "deleted": sum(s.records_deleted for s in run.streams),
    }
    kind = EventKind.SYNC_FINISHED if run.error is None else EventKind.SYNC_FAILED
    return sync_event(kind, run, private_to, error=run.error, totals=totals)


def member_changed(user_id: UserId, change: str, role: Role | None) -> FeedEvent:
    """``change``: joined, role_changed, removed, left."""
    data = {"user_id": str(user_id), "change": change, "role": role.value if role else None}
    return FeedEvent(kind=EventKind.MEMBER_CHANGED, data=data)


def security_alert(alert: str, user_id: UserId, **extra: Any) -> FeedEvent:
    data = {"alert": alert, "user_id": str(user_id), **extra}
    return FeedEvent(kind=EventKind.SECURITY_ALERT, data=data, audience=Audience.ADMINS)
