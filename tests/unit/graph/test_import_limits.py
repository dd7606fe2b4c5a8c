"""What one import may hold in memory is bounded; past a bound the file is refused with context."""

from __future__ import annotations

import json
import struct
from typing import Any

import pytest

from adapters.importers import ocel_records, xes
from adapters.importers.formats import MAX_INFLATED_BYTES, MAX_UPLOAD_BYTES, SniffingParser
from domain.graph.errors import ImportOverLimit
from tests.factories.event_logs import shared_data


def _read(data: bytes) -> int:
    parser = SniffingParser(scope="sha256:x", object_type="case", max_inflated=1 << 30)
    batches = [
        b for start in range(0, len(data), 4096) for b in parser.feed(data[start : start + 4096])
    ]
    return len(batches + parser.close())  # fmt: skip


def _event(n: int) -> dict[str, Any]:
    return {"id": f"e{n}", "type": "A", "time": "2024-01-01T00:00:00Z", "relationships": []}


def _object(n: int, targets: int = 0) -> dict[str, Any]:
    links = [{"objectId": f"o{t}", "qualifier": ""} for t in range(targets)]
    return {"id": f"o{n}", "type": "T", "relationships": links}


def _ocel(events: list[Any], objects: list[Any]) -> bytes:
    # Events first: they must wait for the objects that come after them.
    return json.dumps({"events": events, "objects": objects}).encode()


def test_events_before_the_objects_are_held_up_to_a_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocel_records, "MAX_HELD_EVENTS", 3)
    log = _ocel([_event(n) for n in range(4)], [_object(0)])

    assert _read(_ocel([_event(n) for n in range(3)], [_object(0)])) > 0
    with pytest.raises(ImportOverLimit) as refused:
        _read(log)

    assert refused.value.details == {"line": 1, "element": "events[3]", "limit": 3}


def test_the_text_of_held_events_is_bounded_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocel_records, "MAX_HELD_TEXT", 1000)
    wide = [{**_event(n), "attributes": [{"name": "x", "value": "v" * 300}]} for n in range(4)]

    with pytest.raises(ImportOverLimit) as refused:
        _read(_ocel(wide, [_object(0)]))

    assert refused.value.details["element"] == "events[2]"


def test_relationships_between_objects_are_held_up_to_a_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ocel_records, "MAX_HELD_RELATIONSHIPS", 5)
    objects = [_object(n, targets=3) for n in range(3)]

    with pytest.raises(ImportOverLimit) as refused:
        _read(_ocel([], objects))

    assert refused.value.details["element"] == "objects[1]"
    assert refused.value.code == "graph.import_over_limit"


def _trace(events: int, attributes: int = 0) -> str:
    extra = "".join(f'<string key="k{n}" value="v"/>' for n in range(attributes))
    event = (
        f'<event><string key="concept:name" value="A"/>{extra}'
        '<date key="time:timestamp" value="2024-01-01T00:00:00Z"/></event>\n'
    )
    return f'<trace><string key="concept:name" value="c"/>\n{event * events}</trace>\n'


def _xes(*traces: str) -> bytes:
    body = "".join(traces)
    return (
        f'<?xml version="1.0"?>\n<log xmlns="http://www.xes-standard.org/">\n{body}</log>'.encode()
    )


@pytest.mark.parametrize(("limit", "events", "attributes"), [
    ("MAX_TRACE_EVENTS", 6, 0),
    ("MAX_TRACE_ELEMENTS", 2, 40),
])  # fmt: skip
def test_a_trace_is_held_up_to_a_limit(
    monkeypatch: pytest.MonkeyPatch, limit: str, events: int, attributes: int
) -> None:
    monkeypatch.setattr(xes, "MAX_TRACE_EVENTS", 5)
    monkeypatch.setattr(xes, "MAX_TRACE_ELEMENTS", 50)

    assert _read(_xes(_trace(5), _trace(1, attributes=20))) > 0
    with pytest.raises(ImportOverLimit) as refused:
        _read(_xes(_trace(1), _trace(events, attributes)))

    assert refused.value.details == {"line": 6, "element": "trace", "limit": getattr(xes, limit)}


def test_the_inflate_ceiling_leaves_the_largest_shared_log_ample_room() -> None:
    packed = (shared_data() / "bpic2012.xes.gz").read_bytes()
    (inflated,) = struct.unpack("<I", packed[-4:])  # gzip's trailer: the size, modulo 4 GiB

    assert MAX_INFLATED_BYTES <= 1 << 30  # a gzip bomb stops at 1 GiB of XML or JSON
    assert inflated * 8 < MAX_INFLATED_BYTES
    assert len(packed) * 100 < MAX_UPLOAD_BYTES


def test_type_declarations_are_handed_over_in_batches_not_held() -> None:
    parser = SniffingParser(
        scope="sha256:x", object_type="case", max_inflated=1 << 20, batch_size=2
    )
    types = [{"name": f"T{n}", "attributes": []} for n in range(5)]
    data = json.dumps({"objectTypes": types, "objects": []}).encode()

    early = parser.feed(data[: data.index(b'"objects"')])

    assert [len(batch.types) for batch in early] == [2, 2]
