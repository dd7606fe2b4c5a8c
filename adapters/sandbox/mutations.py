"""Changes made to the seeded company after it was generated: the control API drives them.

The seeded dataset is immutable; tests and the demo change the company through this overlay
instead: a record deleted at a moment, a stage or status change appended to a record's history
(a deal moves on, a ticket is solved), a record touched (modified, nothing visible changes).
Provider views read the overlay when they render, so every provider sees the same change in
its own shapes: a Zendesk ticket ``deleted``, a HubSpot deal archived, a cancelled event.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, get_args

from adapters.sandbox.seed.model import Change

RecordKind = Literal[
    "account", "person", "deal", "ticket", "issue", "email", "meeting", "channel", "message"
]
RECORD_KINDS: tuple[RecordKind, ...] = get_args(RecordKind)


@dataclass
class Mutations:
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _deleted: dict[tuple[RecordKind, int], datetime] = field(default_factory=dict)
    _changes: dict[tuple[RecordKind, int], tuple[Change, ...]] = field(default_factory=dict)
    _touched: dict[tuple[RecordKind, int], tuple[datetime, ...]] = field(default_factory=dict)
    # Grows with every change made, so a view cached under it is rebuilt after one.
    _version: int = 0

    @property
    def version(self) -> int:
        return self._version

    def delete(self, kind: RecordKind, key: int, at: datetime) -> None:
        with self._lock:
            self._deleted.setdefault((kind, key), at)
            self._version += 1

    def change(self, kind: RecordKind, key: int, change: Change) -> None:
        with self._lock:
            self._changes[(kind, key)] = (*self._changes.get((kind, key), ()), change)
            self._version += 1

    def touch(self, kind: RecordKind, key: int, at: datetime) -> None:
        with self._lock:
            self._touched[(kind, key)] = (*self._touched.get((kind, key), ()), at)
            self._version += 1

    def deleted_at(self, kind: RecordKind, key: int, now: datetime) -> datetime | None:
        """When the record was deleted, if that is not in the future of ``now``."""
        when = self._deleted.get((kind, key))
        return when if when is not None and when <= now else None

    def deletions(self, kind: RecordKind) -> list[tuple[int, datetime]]:
        """Deleted records of ``kind`` as ``(key, at)``, in the order the deletions were made
        (Gmail numbers its history by that order, not by ``at``)."""
        with self._lock:
            return [(key, at) for (k, key), at in self._deleted.items() if k == kind]

    def history(self, kind: RecordKind, key: int, seeded: tuple[Change, ...]) -> tuple[Change, ...]:
        """The seeded history with the appended changes, in time order."""
        extra = self._changes.get((kind, key))
        if not extra:
            return seeded
        return tuple(sorted((*seeded, *extra), key=lambda c: c.at))

    def appended(self, kind: RecordKind, key: int) -> tuple[Change, ...]:
        """The changes appended to the record's history, in the order they were made."""
        return self._changes.get((kind, key), ())

    def modified_at(self, kind: RecordKind, key: int, seeded: datetime, now: datetime) -> datetime:
        """The record's last modification up to ``now``: seeded, touched, changed or deleted."""
        moments = [seeded, *self._touched.get((kind, key), ())]
        moments += [c.at for c in self._changes.get((kind, key), ())]
        deleted = self._deleted.get((kind, key))
        if deleted is not None:
            moments.append(deleted)
        return max(m for m in moments if m <= now) if any(m <= now for m in moments) else seeded

    def moments(self, kind: RecordKind) -> tuple[datetime, ...]:
        """Every moment a record of ``kind`` is deleted, changed or touched, in order: what a
        view of the records as of ``now`` depends on is which of these have passed."""
        with self._lock:
            stamps = {at for (k, _), at in self._deleted.items() if k == kind}
            stamps |= {c.at for (k, _), cs in self._changes.items() if k == kind for c in cs}
            stamps |= {at for (k, _), ats in self._touched.items() if k == kind for at in ats}
        return tuple(sorted(stamps))

    def changed_keys(self, kind: RecordKind) -> set[int]:
        """Keys of records of ``kind`` the overlay touches at all (views index the rest)."""
        return {
            key
            for table in (self._deleted, self._changes, self._touched)
            for (k, key) in table
            if k == kind
        }
