"""The official OCEL 2.0 example imports and exports back to an equivalent log."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from adapters.exporters.ocel import ocel_json
from application.graph.importing import ImportOptions
from domain.graph.process_map import Window
from tests.factories.event_logs import event_log
from tests.factories.graph import BytesSource
from tests.integration.graph.conftest import Graph

EXAMPLE = event_log("ocel20_example.jsonocel")


def _canonical(log: dict[str, Any]) -> dict[str, Any]:
    """The log's content, independent of order and of how times are spelled."""

    def when(text: str) -> datetime:
        return datetime.fromisoformat(text)

    def links(items: list[dict[str, str]]) -> list[tuple[str, str]]:
        return sorted((r["objectId"], r["qualifier"]) for r in items)

    def types(items: list[dict[str, Any]]) -> dict[str, list[tuple[str, str]]]:
        return {t["name"]: sorted((a["name"], a["type"]) for a in t["attributes"]) for t in items}

    return {
        "objectTypes": types(log["objectTypes"]),
        "eventTypes": types(log["eventTypes"]),
        "objects": {
            o["id"]: (
                o["type"],
                sorted((a["name"], when(a["time"]), a["value"]) for a in o.get("attributes", [])),
                links(o.get("relationships", [])),
            )
            for o in log["objects"]
        },
        "events": {
            e["id"]: (
                e["type"],
                when(e["time"]),
                sorted((a["name"], a["value"]) for a in e.get("attributes", [])),
                links(e.get("relationships", [])),
            )
            for e in log["events"]
        },
    }


WHOLE = Window()


async def _export(graph: Graph, actor: Any, window: Window = WHOLE) -> dict[str, Any]:
    chunks = [c async for c in ocel_json(graph.exporter().execute(actor, window))]
    return json.loads(b"".join(chunks))  # type: ignore[no-any-return]


async def test_the_ocel_example_round_trips(graph: Graph) -> None:
    original = EXAMPLE.read_bytes()
    actor = await graph.actor()

    summary = await graph.importer().execute(actor, BytesSource(original), ImportOptions())
    exported = await _export(graph, actor)

    expected = _canonical(json.loads(original))
    assert (summary.format, summary.events) == ("ocel", 13)
    assert (len(expected["events"]), len(expected["objects"])) == (13, 9)
    assert _canonical(exported) == expected
    e2o = sum(len(e[3]) for e in expected["events"].values())
    o2o = sum(len(o[2]) for o in expected["objects"].values())
    assert (e2o, o2o) == (20, 7)


async def test_importing_the_same_file_again_changes_nothing(graph: Graph) -> None:
    original = EXAMPLE.read_bytes()
    actor = await graph.actor()
    await graph.importer().execute(actor, BytesSource(original), ImportOptions())
    before = await _export(graph, actor)

    again = await graph.importer().execute(actor, BytesSource(original), ImportOptions())

    assert (again.written.inserted, again.written.replaced) == (0, 0)
    assert await _export(graph, actor) == before


async def test_a_window_exports_its_events_and_the_objects_they_touch(graph: Graph) -> None:
    actor = await graph.actor()
    await graph.importer().execute(actor, BytesSource(EXAMPLE.read_bytes()), ImportOptions())
    window = Window(
        start=datetime.fromisoformat("2022-02-02T00:00:00+00:00"),
        end=datetime.fromisoformat("2022-02-03T12:00:00+00:00"),
    )

    exported = _canonical(await _export(graph, actor, window))

    assert sorted(exported["events"]) == ["e10", "e11", "e9"]
    assert sorted(exported["objects"]) == ["PO2", "R3"]
    assert exported["objects"]["PO2"][2] == [("R3", "Maverick buying")]
