"""On the Helpdesk log, the process map equals a straightforward computation written here."""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from itertools import pairwise

import pytest

from application.graph.importing import ImportOptions
from domain.graph.process_map import MapQuery
from tests.factories.event_logs import event_log
from tests.factories.graph import BytesSource
from tests.integration.graph.conftest import Graph

HELPDESK = event_log("helpdesk.xes.gz")
NS = "{http://www.xes-standard.org/}"


def _straightforward() -> tuple[
    Counter[str], Counter[tuple[str, str]], dict[tuple[str, str], float]
]:
    """Traces from the XML tree; events ordered by (time, position in file); pairs counted."""
    root = ET.fromstring(gzip.decompress(HELPDESK.read_bytes()))  # noqa: S314
    traces: dict[str, list[tuple[datetime, int, str]]] = defaultdict(list)
    position = 0
    for trace in root.iter(f"{NS}trace"):
        case = next(a.get("value") for a in trace if a.get("key") == "concept:name")
        for event in trace.iter(f"{NS}event"):
            values = {a.get("key"): a.get("value") for a in event}
            moment = datetime.fromisoformat(values["time:timestamp"])
            traces[case].append((moment, position, values["concept:name"]))
            position += 1
    nodes: Counter[str] = Counter()
    edges: Counter[tuple[str, str]] = Counter()
    waits: dict[tuple[str, str], timedelta] = defaultdict(timedelta)
    for events in traces.values():
        events.sort()
        nodes.update(name for _, _, name in events)
        for (t1, _, a), (t2, _, b) in pairwise(events):
            edges[(a, b)] += 1
            waits[(a, b)] += t2 - t1
    means = {pair: waits[pair].total_seconds() / edges[pair] for pair in edges}
    return nodes, edges, means


async def test_helpdesk_nodes_edges_and_mean_durations(graph: Graph) -> None:
    actor = await graph.actor()
    source = BytesSource(HELPDESK.read_bytes(), chunk=1 << 16)
    await graph.importer().execute(actor, source, ImportOptions(object_type="ticket"))

    served = await graph.maps.compute(actor.scope, MapQuery(object_type="ticket"))

    nodes, edges, means = _straightforward()
    assert sum(nodes.values()) == 21_348
    assert {n.activity: n.count for n in served.nodes} == dict(nodes)
    assert {(e.source, e.target): e.count for e in served.edges} == dict(edges)
    for edge in served.edges:
        assert edge.duration.mean == pytest.approx(means[(edge.source, edge.target)], rel=1e-12)
