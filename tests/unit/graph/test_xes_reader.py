"""The XES reader keeps what the model holds, and only that, wherever it stands in the file."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.importers.xes import XesReader
from domain.graph.errors import ImportInvalidValue
from domain.graph.model import ActivityRecord, EntityAttribute, GraphBatch

LOG = b"""<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <string key="log-level" value="describes the file"/>
  <global scope="trace"><string key="concept:name" value="UNKNOWN"/></global>
  <event><string key="concept:name" value="outside any trace"/></event>
  <trace>
    <string key="concept:name" value="case 1"/>
    <event>
      <string key="concept:name" value="Open">
        <string key="nested" value="not part of the model"/>
      </string>
      <date key="time:timestamp" value="2024-01-01T10:00:00+01:00"/>
      <string value="START" key="lifecycle:transition"/>
      <container key="unknown"><string key="inside" value="ignored"/></container>
      <int key="cost" value="7"/>
    </event>
    <event>
      <string key="concept:name" value="Close"/>
      <string key="org:resource" value="ada"/>
      <date key="time:timestamp" value="2024-01-01T09:30:00Z"/>
    </event>
    <int key="AMOUNT" value="5000"/>
  </trace>
  <trace><string key="concept:name" value="case 2"/></trace>
</log>"""


def _read(data: bytes, chunk: int) -> GraphBatch:
    reader = XesReader("sha256:test", batch_size=1)
    blocks = [
        b for start in range(0, len(data), chunk) for b in reader.feed(data[start : start + chunk])
    ]
    blocks += reader.close()
    assert reader.events == 2
    batches = [block.batch() for block in blocks]
    return GraphBatch(
        entities=tuple(e for b in batches for e in b.entities),
        activities=tuple(a for b in batches for a in b.activities),
    )


@pytest.mark.parametrize("chunk", [1, 7, 1 << 20])  # however the bytes arrive
def test_traces_events_and_their_attributes_are_read_and_nothing_else(chunk: int) -> None:
    batch = _read(LOG, chunk)

    cases = {e.name: e for e in batch.entities if e.type == "case"}
    assert set(cases) == {"case 1", "case 2"}
    assert cases["case 1"].attributes == (EntityAttribute(name="AMOUNT", value=5000),)
    assert [e.name for e in batch.entities if e.type == "resource"] == ["ada"]
    opened, closed = batch.activities
    assert isinstance(opened, ActivityRecord)
    assert (opened.type, opened.source_seq, opened.ref.source_id) == ("Open", 0, "event:0")
    assert opened.occurred_at == datetime(2024, 1, 1, 9, tzinfo=UTC)
    assert opened.attributes == {"lifecycle:transition": "START", "cost": 7}
    assert opened.actor is None
    assert (closed.type, closed.source_seq, closed.attributes) == ("Close", 1, {})
    assert closed.actor is not None
    assert closed.actor.source_id == "resource:ada"
    assert opened.links == closed.links
    assert [link.object for link in opened.links] == [cases["case 1"].ref]


def test_a_value_error_names_the_line_of_its_event() -> None:
    data = LOG.replace(b'<int key="cost" value="7"/>', b'<int key="cost" value="seven"/>')
    reader = XesReader("sha256:test")

    with pytest.raises(ImportInvalidValue) as caught:
        reader.feed(data)
        reader.close()

    assert (caught.value.details["line"], caught.value.details["element"]) == (8, "cost")
