"""XES traces, as the parser collected them, into blocks of columns (``TraceBlock``).

Values are checked and converted here, trace by trace, in file order, so an error names the
line of the trace or event it is about.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from domain.graph.content import AttributeValue
from domain.graph.errors import ImportInvalidValue
from domain.graph.model import EntityAttribute, EntityRecord
from domain.graph.times import within_range
from domain.graph.traces import NO_ACTOR, TraceBlock, case_ref

PROVIDER = "xes"
ACTIVITY, TIME, RESOURCE = "concept:name", "time:timestamp", "org:resource"

# What the parser keeps of an element: attribute key -> (XES tag, raw value).
Attributes = dict[str, tuple[str, str]]
_NO_TIME = ("date", None)


def value_of(tag: str, raw: str, line: int, key: str) -> AttributeValue:
    try:
        if tag == "int":
            return int(raw)
        if tag == "float":
            number = float(raw)
            if not math.isfinite(number):  # NaN is not even equal to itself
                raise ValueError(raw)
            return number
    except ValueError:
        raise ImportInvalidValue(f"{key} is not a valid {tag}.", line=line, element=key) from None
    if tag == "boolean":
        if raw not in ("true", "false"):
            raise ImportInvalidValue(f"{key} is not a boolean.", line=line, element=key)
        return raw == "true"
    return raw


def time_of(raw: str | None, line: int) -> datetime:
    if raw is None:
        raise ImportInvalidValue("An event has no time:timestamp.", line=line, element="event")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ImportInvalidValue("time:timestamp is not a date.", line=line, element=TIME) from None
    # A time without an offset is read as UTC, as XES tools write UTC when they omit it.
    if moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    if moment.year in (1, 9999) and not within_range(moment):  # the year: a fast first test
        raise ImportInvalidValue("time:timestamp is out of range.", line=line, element=TIME)
    return moment


class TraceColumns:
    """The block being filled: whole traces are added, ``block`` hands them over."""

    def __init__(self, scope: str, object_type: str) -> None:
        self._scope, self._object_type = scope, object_type
        self._first = 0
        self._reset()

    def _reset(self) -> None:
        self.cases: list[EntityRecord] = []
        self.ends: list[int] = []
        self.times: list[datetime] = []
        self.type_of: list[int] = []
        self.actor_of: list[int] = []
        self.attribute_of: list[int] = []
        self._types: dict[str, int] = {}
        self._resources: dict[str, int] = {}
        self._shapes: dict[tuple[tuple[str, tuple[str, str]], ...], int] = {}
        self._sets: list[dict[str, AttributeValue]] = []

    def add(self, trace: Attributes, line: int, events: list[tuple[int, Attributes]]) -> None:
        name = trace.get(ACTIVITY)
        if name is None:
            raise ImportInvalidValue("A trace has no concept:name.", line=line, element="trace")
        attributes = tuple(
            EntityAttribute(name=k, value=value_of(t, v, line, k))
            for k, (t, v) in trace.items()
            if k != ACTIVITY
        )
        self.cases.append(
            EntityRecord(
                ref=case_ref(PROVIDER, self._scope, name[1]),
                type=self._object_type,
                name=name[1],
                attributes=attributes,
            )
        )
        self._events(events)
        self.ends.append(len(self.times))

    def _events(self, events: list[tuple[int, Attributes]]) -> None:
        # The hot loop of an import: names bound once, no calls but the unavoidable ones.
        times, type_of = self.times.append, self.type_of.append
        actor_of, attribute_of = self.actor_of.append, self.attribute_of.append
        types, resources, shapes = self._types, self._resources, self._shapes
        for line, event in events:
            kind = event.pop(ACTIVITY, None)
            if kind is None:
                raise ImportInvalidValue(
                    "An event has no concept:name.", line=line, element="event"
                )
            times(time_of(event.pop(TIME, _NO_TIME)[1], line))
            code = types.get(kind[1])
            if code is None:
                code = types[kind[1]] = len(types)
            type_of(code)
            resource = event.pop(RESOURCE, None)
            if resource is None:
                actor_of(NO_ACTOR)
            else:
                code = resources.get(resource[1])
                if code is None:
                    code = resources[resource[1]] = len(resources)
                actor_of(code)
            shape = tuple(event.items())
            found = shapes.get(shape)
            attribute_of(found if found is not None else self._shape(shape, line))

    def _shape(self, shape: tuple[tuple[str, tuple[str, str]], ...], line: int) -> int:
        # Converted once per distinct set: a set that converted once always converts.
        converted = {k: v if t == "string" else value_of(t, v, line, k) for k, (t, v) in shape}
        self._sets.append(converted)
        found = self._shapes[shape] = len(self._sets) - 1
        return found

    @property
    def events(self) -> int:
        return len(self.times)

    def block(self) -> TraceBlock | None:
        """The traces added since the last block, or None if there are none."""
        if not self.cases:
            return None
        block = TraceBlock(
            provider=PROVIDER,
            scope=self._scope,
            object_type=self._object_type,
            cases=tuple(self.cases),
            ends=tuple(self.ends),
            first=self._first,
            times=tuple(self.times),
            types=tuple(self._types),
            type_of=tuple(self.type_of),
            resources=tuple(self._resources),
            actor_of=tuple(self.actor_of),
            attribute_sets=tuple(self._sets),
            attribute_of=tuple(self.attribute_of),
        )
        self._first += len(self.times)
        self._reset()
        return block
