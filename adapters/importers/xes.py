"""XES reader: each trace an object, each event an activity, parsed as the bytes arrive.

Expat is driven directly (no tree is built) and refuses any document type declaration as it
starts, before a single entity could be declared, let alone expanded (billion laughs,
external entities). Events are emitted in batches; nothing here touches storage.
"""

from __future__ import annotations

import pyexpat
from datetime import UTC, datetime
from typing import Any

from domain.graph.content import AttributeValue
from domain.graph.errors import ImportForbiddenMarkup, ImportInvalidValue, ImportMalformed
from domain.graph.model import (
    ActivityRecord,
    EntityAttribute,
    EntityRecord,
    GraphBatch,
    Link,
    SourceRef,
)

PROVIDER = "xes"
XES_NAMESPACE = "http://www.xes-standard.org/"
VALUE_TAGS = frozenset({"string", "date", "int", "float", "boolean", "id"})
ACTIVITY, TIME, RESOURCE = "concept:name", "time:timestamp", "org:resource"


def _value(tag: str, raw: str, line: int, key: str) -> AttributeValue:
    try:
        if tag == "int":
            return int(raw)
        if tag == "float":
            return float(raw)
    except ValueError:
        raise ImportInvalidValue(f"{key} is not a valid {tag}.", line=line, element=key) from None
    if tag == "boolean":
        if raw not in ("true", "false"):
            raise ImportInvalidValue(f"{key} is not a boolean.", line=line, element=key)
        return raw == "true"
    return raw


def _time(raw: str | None, line: int) -> datetime:
    if raw is None:
        raise ImportInvalidValue("An event has no time:timestamp.", line=line, element="event")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ImportInvalidValue("time:timestamp is not a date.", line=line, element=TIME) from None
    # A time without an offset is read as UTC, as XES tools write UTC when they omit it.
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=UTC)


class XesReader:
    """A push parser: ``feed`` bytes, get the batches completed so far; ``close`` at the end."""

    format = "xes"

    def __init__(self, scope: str, *, object_type: str = "case", batch_size: int = 20_000) -> None:
        self._scope, self._object_type, self._batch_size = scope, object_type, batch_size
        parser = pyexpat.ParserCreate()
        parser.ordered_attributes = True
        parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._refuse_markup
        parser.EntityDeclHandler = self._refuse_markup
        parser.ExternalEntityRefHandler = self._refuse_external
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        self._parser = parser
        self._root: str | None = None
        self._skip = 0  # depth inside an element whose children are ignored
        self._trace: dict[str, tuple[str, str]] | None = None
        self._event: dict[str, tuple[str, str]] | None = None
        self._trace_line = self._event_line = 0
        self._trace_events: list[tuple[int, int, dict[str, tuple[str, str]]]] = []
        self._entities: dict[SourceRef, EntityRecord] = {}
        self._activities: list[ActivityRecord] = []
        self._ready: list[GraphBatch] = []
        self._resources: dict[str, SourceRef] = {}
        self.events = 0

    def feed(self, chunk: bytes) -> list[GraphBatch]:
        self._parse(chunk, final=False)
        ready, self._ready = self._ready, []
        return ready

    def close(self) -> list[GraphBatch]:
        self._parse(b"", final=True)
        if self._root is None:
            raise ImportMalformed("The file is empty.")
        self._flush()
        ready, self._ready = self._ready, []
        return ready

    def _parse(self, data: bytes, *, final: bool) -> None:
        try:
            self._parser.Parse(data, final)
        except pyexpat.ExpatError as error:
            raise ImportMalformed(
                "The XML is not well-formed or is truncated.",
                line=error.lineno,
                column=error.offset,
                reason=pyexpat.errors.messages[error.code],
            ) from None

    def _refuse_markup(self, *_: Any) -> None:
        raise ImportForbiddenMarkup(line=self._parser.CurrentLineNumber)

    def _refuse_external(self, *_: Any) -> int:
        raise ImportForbiddenMarkup(line=self._parser.CurrentLineNumber)

    def _start(self, name: str, attrs: list[str]) -> None:
        if self._skip:
            self._skip += 1
        elif name in VALUE_TAGS:
            self._skip = 1  # nested attributes are not part of the model
            target = self._event if self._event is not None else self._trace
            if target is None:
                return  # log-level attributes describe the file, not the work
            if len(attrs) == 4 and attrs[0] == "key" and attrs[2] == "value":
                target[attrs[1]] = (name, attrs[3])  # the usual shape, taken without a loop
            else:
                self._attribute(target, name, attrs)
        elif name == "event" and self._trace is not None:
            self._event, self._event_line = {}, self._parser.CurrentLineNumber
        elif name == "trace" and self._root is not None:
            self._trace, self._trace_line = {}, self._parser.CurrentLineNumber
            self._trace_events = []
        elif self._root is None:
            self._open_log(name, attrs)
        else:
            self._skip = 1  # extensions, globals, classifiers, log attributes

    @staticmethod
    def _attribute(target: dict[str, tuple[str, str]], tag: str, attrs: list[str]) -> None:
        key = value = None
        for i in range(0, len(attrs) - 1, 2):
            if attrs[i] == "key":
                key = attrs[i + 1]
            elif attrs[i] == "value":
                value = attrs[i + 1]
        if key is not None and value is not None:
            target[key] = (tag, value)

    def _open_log(self, name: str, attrs: list[str]) -> None:
        pairs = dict(zip(attrs[::2], attrs[1::2], strict=False))
        if name != "log" or (pairs.get("xmlns") != XES_NAMESPACE and "xes.version" not in pairs):
            raise ImportInvalidValue("The file is not an XES log.", line=1, element=name)
        self._root = name

    def _end(self, name: str) -> None:
        if self._skip:
            self._skip -= 1
        elif name == "event" and self._event is not None:
            self._trace_events.append((self.events, self._event_line, self._event))
            self.events += 1
            self._event = None
        elif name == "trace" and self._trace is not None:
            self._close_trace(self._trace)
            self._trace = None

    def _close_trace(self, trace: dict[str, tuple[str, str]]) -> None:
        name = trace.get(ACTIVITY)
        if name is None:
            raise ImportInvalidValue(
                "A trace has no concept:name.", line=self._trace_line, element="trace"
            )
        case = SourceRef(provider=PROVIDER, scope=self._scope, source_id=f"trace:{name[1]}")
        self._entities[case] = EntityRecord(
            ref=case,
            type=self._object_type,
            name=name[1],
            attributes=tuple(
                EntityAttribute(name=k, value=_value(t, v, self._trace_line, k))
                for k, (t, v) in trace.items()
                if k != ACTIVITY
            ),
        )
        links = (Link(object=case),)
        for position, line, event in self._trace_events:
            self._activities.append(self._activity(links, position, line, event))
        if len(self._activities) >= self._batch_size:
            self._flush()

    def _activity(
        self, links: tuple[Link, ...], position: int, line: int, event: dict[str, tuple[str, str]]
    ) -> ActivityRecord:
        kind = event.pop(ACTIVITY, None)
        if kind is None:
            raise ImportInvalidValue("An event has no concept:name.", line=line, element="event")
        moment = _time(event.pop(TIME, (None, None))[1], line)
        resource = event.pop(RESOURCE, None)
        actor = None
        if resource is not None:
            actor = SourceRef(
                provider=PROVIDER, scope=self._scope, source_id=f"resource:{resource[1]}"
            )
            if actor not in self._entities:
                self._entities[actor] = EntityRecord(ref=actor, type="resource", name=resource[1])
        return ActivityRecord(
            ref=SourceRef(provider=PROVIDER, scope=self._scope, source_id=f"event:{position}"),
            type=kind[1],
            occurred_at=moment,
            source_seq=position,
            actor=actor,
            attributes={
                k: v if t == "string" else _value(t, v, line, k) for k, (t, v) in event.items()
            },
            links=links,
        )

    def _resource(self, name: str) -> SourceRef:
        actor = self._resources.get(name)
        if actor is None:
            actor = SourceRef(provider=PROVIDER, scope=self._scope, source_id=f"resource:{name}")
            self._resources[name] = actor
        if actor not in self._entities:  # once per batch: each batch names its own entities
            self._entities[actor] = EntityRecord(ref=actor, type="resource", name=name)
        return actor

    def _flush(self) -> None:
        if self._entities or self._activities:
            self._ready.append(
                GraphBatch(
                    entities=tuple(self._entities.values()), activities=tuple(self._activities)
                )
            )
        self._entities, self._activities = {}, []
