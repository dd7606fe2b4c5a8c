"""The process-map explorer's API: variant filters, object types, and the cases behind a node or
an edge, agreeing with the map they explain; malformed input is a 422. On both tiers: the fakes,
and the real adapters with PostgreSQL's columnar maps (tiers.py)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from litestar.testing import AsyncTestClient

from domain.identity.model import Role
from tests.e2e.imports_http import import_file
from tests.e2e.test_graph_api import API, OCEL
from tests.e2e.tiers import Stack, stack, tier

__all__ = ["stack", "tier"]  # the fixtures


class Maps:
    def __init__(self, client: AsyncTestClient[Any], headers: dict[str, str]) -> None:
        self.client, self.headers = client, headers

    async def get(self, path: str, **params: Any) -> Any:
        query = urlencode(params, doseq=True)
        return await self.client.get(f"{API}{path}?{query}", headers=self.headers)


@pytest.fixture
async def maps(stack: Stack) -> Maps:
    """A member of a new tenant, on the module's stack, whose admin imported the example log."""
    member = await stack.people.sign_up(Role.MEMBER)
    admin = await stack.people.colleague(member, Role.ADMIN)
    imported = await import_file(stack.client, OCEL, admin.headers)
    assert imported["state"] == "succeeded"
    return Maps(stack.client, member.headers)


async def test_a_variant_filter_maps_only_the_objects_of_that_variant(maps: Maps) -> None:
    every = (await maps.get("/variants", object_type="Invoice")).json()
    first = every["variants"][0]
    variant = json.dumps(first["activities"])

    chosen = (await maps.get("/process-map", object_type="Invoice", variant=[variant])).json()
    listed = (await maps.get("/variants", object_type="Invoice", variant=[variant])).json()
    handoffs = await maps.get("/handoffs", object_type="Invoice", variant=[variant])
    nothing = (await maps.get("/process-map", object_type="Invoice", variant='["Nope"]')).json()

    assert chosen["map"]["objects"] == first["count"] < every["objects"]
    assert [v["activities"] for v in chosen["map"]["variants"]] == [first["activities"]]
    assert chosen["map"]["starts"] == [
        {"activity": first["activities"][0], "count": first["count"]}
    ]
    assert listed["variant_count"] == 1
    assert handoffs.status_code == 200
    assert nothing["map"]["objects"] == 0


async def test_object_types_count_the_objects_the_map_counts(maps: Maps) -> None:
    answer = (await maps.get("/process-map/object-types")).json()["object_types"]
    invoices = (await maps.get("/process-map", object_type="Invoice")).json()["map"]

    counts = [t["objects"] for t in answer]
    assert counts == sorted(counts, reverse=True)
    assert {"type", "objects", "activities"} == set(answer[0])
    by_type = {t["type"]: t for t in answer}
    assert by_type["Invoice"]["objects"] == invoices["objects"]
    assert by_type["Invoice"]["activities"] >= invoices["activities"]


async def test_an_edges_cases_add_up_to_the_edge_slowest_first(maps: Maps) -> None:
    served = (await maps.get("/process-map", object_type="Invoice")).json()["map"]

    for edge in served["edges"]:
        pair = {"source": edge["source"], "target": edge["target"]}
        found = (await maps.get("/process-map/cases", object_type="Invoice", **pair)).json()
        assert sum(c["occurrences"] for c in found["cases"]) == edge["count"]
        assert found["total"] == len(found["cases"])
        durations = [c["duration"] for c in found["cases"]]
        assert durations == sorted(durations, reverse=True)
        assert durations[0] == edge["duration"]["max"]


async def test_a_nodes_cases_name_each_object_with_its_records(maps: Maps) -> None:
    served = (await maps.get("/process-map", object_type="Invoice")).json()["map"]
    node = served["nodes"][0]

    found = (
        await maps.get("/process-map/cases", object_type="Invoice", activity=node["activity"])
    ).json()
    one = (
        await maps.get(
            "/process-map/cases", object_type="Invoice", activity=node["activity"], limit=1
        )
    ).json()

    assert found["object_type"] == "Invoice"
    assert sum(c["occurrences"] for c in found["cases"]) == node["count"]
    case = found["cases"][0]
    assert set(case) == {"id", "name", "type", "url", "records", "occurrences", "duration",
                         "first_at", "last_at"}  # fmt: skip
    assert (case["type"], case["duration"]) == ("Invoice", None)
    assert case["name"]
    assert [r["id"] for r in case["records"]] == [case["id"]]
    assert set(case["records"][0]) == {"id", "provider", "source_id", "url"}
    last = [c["last_at"] for c in found["cases"]]
    assert last == sorted(last, reverse=True)
    assert (one["total"], len(one["cases"])) == (found["total"], 1)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/process-map", {"variant": "not json"}),
        ("/variants", {"variant": '{"a": 1}'}),
        ("/handoffs", {"variant": "[1, 2]"}),
        ("/process-map", {"variant": "[]"}),
        ("/process-map", {"variant": json.dumps(["x" * 201])}),
        ("/process-map", {"variant": json.dumps(["A"] * 501)}),
        ("/process-map", {"variant": [json.dumps([str(n)]) for n in range(21)]}),
        ("/process-map/cases", {"variant": "[", "activity": "A"}),
    ],
)
async def test_a_malformed_variant_is_a_422(maps: Maps, path: str, params: dict[str, Any]) -> None:
    refused = await maps.get(path, object_type="Invoice", **params)

    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "graph.invalid_variant"


@pytest.mark.parametrize(
    "params",
    [{}, {"source": "A"}, {"target": "B"}, {"activity": "A", "source": "A", "target": "B"}],
)
async def test_cases_need_exactly_one_node_or_one_edge(maps: Maps, params: dict[str, str]) -> None:
    refused = await maps.get("/process-map/cases", object_type="Invoice", **params)

    assert refused.status_code == 422
    assert refused.json()["code"] == "graph.invalid_case_selector"


async def test_the_explorer_needs_a_signed_in_actor(maps: Maps) -> None:
    maps.headers = {}
    answers = [
        await maps.get("/process-map/object-types"),
        await maps.get("/process-map/cases", object_type="Invoice", activity="A"),
    ]

    assert [a.status_code for a in answers] == [401, 401]
