"""Canaries under content-like names, on every write path: none is stored, dumped or exported.

Each canary is a unique string carried by an attribute whose name denotes content, spelled in
the ways sources spell it. An OCEL import (objects, events, declared types), an XES import
(the bulk path: trace and event attributes) and an API ingest (entities and activities) all
run; the canaries must then be absent from the graph as read back, from a ``pg_dump`` of the
whole database, and from the OCEL export, while the metadata beside them is all there.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from adapters.exporters.ocel import ocel_json
from adapters.postgres.throwaway import ThrowawayDatabase
from application.graph.importing import ImportOptions
from application.graph.writer import IngestSummary
from domain.graph.model import EntityAttribute, GraphBatch, Link
from domain.graph.process_map import Window
from tests.factories.dump import database_dump
from tests.factories.graph import BytesSource, create_activity, create_entity
from tests.factories.vault import marker
from tests.integration.graph.conftest import Graph

ENTITY_NAMES = ["subject", "Body", "email:subject", "subjectLine", "HTMLBody", "description"]
EVENT_NAMES = ["description", "comment", "title", "email_subject", "message.text", "Summary"]
METADATA = "metadata-kept"


class Canaries:
    def __init__(self) -> None:
        self.values: list[str] = []

    def __call__(self, name: str) -> str:
        value = marker(f"canary-{name}")
        self.values.append(value)
        return value


def _ocel(canary: Canaries) -> bytes:
    at = "2024-03-01T10:00:00+00:00"
    declared = [{"name": n, "type": "string"} for n in [*ENTITY_NAMES, "folder"]]
    log = {
        "objectTypes": [{"name": "mail", "attributes": declared}],
        "eventTypes": [{"name": "send", "attributes": [{"name": "title", "type": "string"}]}],
        "objects": [
            {
                "id": "m1",
                "type": "mail",
                "attributes": [{"name": n, "time": at, "value": canary(n)} for n in ENTITY_NAMES]
                + [{"name": "folder", "time": at, "value": METADATA}],
            }
        ],
        "events": [
            {
                "id": "e1",
                "type": "send",
                "time": at,
                "attributes": [{"name": n, "value": canary(n)} for n in EVENT_NAMES]
                + [{"name": "channel", "value": METADATA}],
                "relationships": [{"objectId": "m1", "qualifier": ""}],
            }
        ],
    }
    return json.dumps(log).encode()


def _xes(canary: Canaries) -> bytes:
    def strings(names: list[str]) -> str:
        return "".join(f'<string key="{n}" value="{canary(n)}"/>' for n in names)

    return f"""<?xml version="1.0"?>
<log xmlns="http://www.xes-standard.org/"><trace>
<string key="concept:name" value="case-1"/>{strings(ENTITY_NAMES)}
<string key="region" value="{METADATA}"/>
<event><string key="concept:name" value="Open"/>{strings(EVENT_NAMES)}
<string key="channel" value="{METADATA}"/>
<date key="time:timestamp" value="2024-03-01T10:00:00+00:00"/></event>
</trace></log>""".encode()


def _ingested(canary: Canaries) -> GraphBatch:
    content = [EntityAttribute(name=n, value=canary(n)) for n in ENTITY_NAMES]
    ticket = create_entity(attributes=(*content, EntityAttribute(name="state", value=METADATA)))
    done = create_activity(
        links=(Link(object=ticket.ref),),
        attributes={n: canary(n) for n in EVENT_NAMES} | {"stage": METADATA},
    )
    return GraphBatch(entities=(ticket,), activities=(done,))


async def _write_everything(graph: Graph, canary: Canaries) -> tuple[Any, list[IngestSummary]]:
    actor = await graph.actor()
    summaries = []
    for log in (_ocel(canary), _xes(canary)):
        imported = await graph.importer().execute(actor, BytesSource(log), ImportOptions())
        summaries.append(imported.written)
    summaries.append(await graph.ingest().execute(actor.scope, _ingested(canary)))
    return actor, summaries


async def _export(graph: Graph, actor: Any) -> str:
    parts = graph.exporter().execute(actor, Window())
    return b"".join([chunk async for chunk in ocel_json(parts)]).decode()


async def test_every_write_path_drops_content_and_says_how_much(graph: Graph) -> None:
    canary = Canaries()

    actor, summaries = await _write_everything(graph, canary)

    stored = msgspec.json.encode(await graph.state(actor.scope)).decode()
    exported = await _export(graph, actor)
    declared = {
        (t["name"], a["name"])
        for t in json.loads(exported)["objectTypes"] + json.loads(exported)["eventTypes"]
        for a in t["attributes"]
    }
    assert [summary.dropped_attributes for summary in summaries] == [12, 12, 12]
    assert [c for c in canary.values if c in stored or c in exported] == []
    assert stored.count(METADATA) == 6  # the metadata beside the canaries is all there
    assert exported.count(METADATA) == 6
    assert declared == {("mail", "folder"), ("case", "region"),
                        ("Open", "channel"), ("send", "channel"), ("ticket", "state"),
                        ("Opened", "stage")}  # fmt: skip


@pytest.mark.parametrize("graph", ["postgres"], indirect=True)
async def test_no_canary_is_in_a_dump_of_the_database(
    graph: Graph, database: ThrowawayDatabase
) -> None:
    canary = Canaries()

    await _write_everything(graph, canary)

    dump = database_dump(database)
    assert METADATA in dump
    assert [c for c in canary.values if c in dump] == []
