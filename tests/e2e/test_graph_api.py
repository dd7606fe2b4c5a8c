"""The graph API: imports, maps, entities, activities, export, isolation. On both tiers: the
fakes, and the real adapters over PostgreSQL's row security and the columnar maps (tiers.py)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import pytest
from litestar.testing import AsyncTestClient

from domain.identity.model import Role
from tests.e2e.imports_http import import_file, wait_for_import
from tests.e2e.tiers import Person, Stack, in_app, resolved, stack, tier
from tests.factories.event_logs import shared_data

__all__ = ["stack", "tier"]  # the fixtures

DATA = shared_data()
OCEL = (DATA / "ocel20_example.jsonocel").read_bytes()
API = "/api/v1/graph"
READS = [
    "/process-map?object_type=Invoice",
    "/variants?object_type=Invoice",
    "/handoffs?object_type=Invoice",
    "/entities",
    "/activities",
    "/export.ocel.json",
]


@dataclass
class Api:
    client: AsyncTestClient[Any]
    mine: dict[str, str]  # a member's: reads
    theirs: dict[str, str]
    container: Any
    member: Person
    admin: dict[str, str]  # an admin's of the same tenant: imports

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Any:
        return await self.client.get(API + path, headers=self.mine if headers is None else headers)


@pytest.fixture
async def api(stack: Stack) -> Api:
    """A member and an admin of a new tenant, and an admin of another (exports too must show
    nothing of ours), on the module's stack."""
    member = await stack.people.sign_up(Role.MEMBER)
    admin = await stack.people.colleague(member, Role.ADMIN)
    theirs = await stack.people.sign_up(Role.ADMIN)
    return Api(stack.client, member.headers, theirs.headers, stack.container, member,
               admin.headers)  # fmt: skip


async def _post(api: Api, body: bytes, headers: dict[str, str] | None = None) -> Any:
    return await api.client.post(
        f"{API}/imports", content=body, headers={**api.admin, **(headers or {})}
    )


async def _import(api: Api, body: bytes, headers: dict[str, str] | None = None) -> Any:
    """Posted (202), then polled until it ended: its final status."""
    return await import_file(api.client, body, {**api.admin, **(headers or {})})


async def test_an_imported_log_is_served_by_every_read_endpoint(api: Api) -> None:
    imported = await _import(api, OCEL)

    process_map = (await api.get("/process-map?object_type=Invoice&top=2")).json()
    variants = (await api.get("/variants?object_type=Invoice")).json()
    orders = (await api.get("/entities?type=Purchase%20Order&limit=1")).json()
    following = (
        await api.get(f"/entities?type=Purchase%20Order&cursor={orders['next_cursor']}")
    ).json()
    detail = (await api.get(f"/entities/{orders['entities'][0]['id']}")).json()
    activities = (await api.get("/activities?type=Insert%20Invoice&limit=2")).json()
    rest = (
        await api.get(f"/activities?type=Insert%20Invoice&cursor={activities['next_cursor']}")
    ).json()
    exported = json.loads((await api.get("/export.ocel.json", headers=api.admin)).content)

    assert imported["state"] == "succeeded"
    assert imported["summary"]["events"] == imported["events"] == 13
    assert process_map["map"]["objects"] == 3
    assert {n["activity"]: n["count"] for n in process_map["map"]["nodes"]}["Insert Invoice"] == 3
    assert variants["variant_count"] == 2
    assert len(orders["entities"]) == 1
    assert len(following["entities"]) == 1
    assert detail["entity"]["type"] == "Purchase Order"
    assert detail["timeline"]
    assert [len(activities["activities"]), len(rest["activities"])] == [2, 1]
    assert rest["next_cursor"] is None
    assert len(exported["events"]) == 13


async def test_another_tenant_sees_nothing_of_it(api: Api) -> None:
    await _import(api, OCEL)
    entity = (await api.get("/entities?limit=1")).json()["entities"][0]["id"]

    theirs = [await api.get(path, headers=api.theirs) for path in READS]
    foreign = await api.get(f"/entities/{entity}", headers=api.theirs)

    by_path = dict(zip(READS, theirs, strict=True))
    assert by_path["/process-map?object_type=Invoice"].json()["map"]["objects"] == 0
    assert by_path["/variants?object_type=Invoice"].json()["variant_count"] == 0
    assert by_path["/handoffs?object_type=Invoice"].json()["handoffs"] == []
    assert by_path["/entities"].json()["entities"] == []
    assert by_path["/activities"].json()["activities"] == []
    assert json.loads(by_path["/export.ocel.json"].content)["objects"] == []
    assert foreign.status_code == 404
    assert foreign.json()["code"] == "graph.entity_not_found"


async def test_every_graph_endpoint_needs_a_signed_in_actor(api: Api) -> None:
    answers = [await api.get(path, headers={}) for path in [*READS, f"/entities/{uuid4()}"]]
    posted = await api.client.post(f"{API}/imports", content=OCEL)

    assert {r.status_code for r in [*answers, posted]} == {401}


async def test_a_two_gigabyte_claim_is_refused_before_reading(api: Api) -> None:
    refused = await _post(api, b"{}", {"Content-Length": str(2 << 30)})

    assert refused.status_code == 413
    assert refused.json()["code"] == "graph.import_too_large"
    assert (await api.get("/entities")).json()["entities"] == []


async def test_a_hostile_file_fails_with_its_problem_in_context_and_changes_nothing(
    api: Api,
) -> None:
    laughs = b'<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY a "aaaa">]>\n<log/>'

    refused = await _import(api, laughs)
    wrong = await _import(
        api, OCEL.replace(b'"time": "2022-01-09T14:00:00+00:00"', b'"time": 1', 1)
    )

    assert (refused["state"], refused["code"]) == ("failed", "graph.import_forbidden_markup")
    assert refused["failure"]["details"]["line"] == 2
    assert refused["summary"] is None
    assert wrong["failure"]["code"] == "graph.import_invalid_value"
    assert wrong["failure"]["details"]["element"].startswith("events[0].time")
    assert (await api.get("/entities")).json()["entities"] == []


async def test_a_naive_or_inverted_window_is_refused(api: Api) -> None:
    naive = await api.get("/process-map?object_type=x&from=2024-01-01T00:00:00")
    inverted = await api.get(
        "/process-map?object_type=x&from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z"
    )

    assert [naive.status_code, inverted.status_code] == [422, 422]
    assert naive.json()["code"] == "graph.invalid_window"


async def test_an_import_is_queued_then_polled_by_its_tenant_only(api: Api) -> None:
    ok, bad = uuid4(), uuid4()

    posted = await _post(api, OCEL, {"X-Import-Id": str(ok), "X-File-Name": "p2p.jsonocel"})
    queued = posted.json()
    done = await wait_for_import(api.client, posted.headers["location"], api.admin)
    await _import(api, b"<nope", {"X-Import-Id": str(bad)})
    failed = (await api.get(f"/imports/{bad}")).json()
    foreign = await api.get(f"/imports/{ok}", headers=api.theirs)
    malformed = await _post(api, OCEL, {"X-Import-Id": "not-a-uuid"})
    again = await _post(api, OCEL, {"X-Import-Id": str(ok)})

    assert posted.status_code == 202
    assert posted.headers["location"] == f"{API}/imports/{ok}"
    assert (queued["id"], queued["state"], queued["total_bytes"]) == (str(ok), "queued", len(OCEL))
    assert (done["state"], done["events"], done["bytes_read"]) == ("succeeded", 13, len(OCEL))
    assert (done["file_name"], done["attempts"]) == ("p2p.jsonocel", 1)
    assert done["summary"]["written"]["inserted"] == 13
    assert (failed["state"], failed["code"]) == ("failed", "graph.import_malformed")
    assert foreign.status_code == 404
    assert malformed.json()["code"] == "graph.invalid_import_id"
    assert again.json()["code"] == "graph.invalid_import_id"


async def test_an_admin_undoes_a_merge_a_member_cannot(api: Api) -> None:
    from domain.graph.model import EntityRecord, GraphBatch, Identity, SourceRef

    mail = Identity(kind="email", value="ada@example.com")
    people = tuple(
        EntityRecord(ref=SourceRef(provider=p, scope="s", source_id="ada"), type="person",
                     identities=(mail,))
        for p in ("crm", "chat")
    )  # fmt: skip

    async def ingest() -> None:
        use_case = await resolved(api.container.use_cases.ingest_graph())
        await use_case.execute(api.member.scope, GraphBatch(entities=people))

    await in_app(api.client, ingest)
    admin = api.admin
    (person,) = (await api.get("/entities?type=person")).json()["entities"]
    detail = (await api.get(f"/entities/{person['id']}")).json()
    merge = detail["merges"][0]["id"]

    refused = await api.client.post(f"{API}/merges/{merge}/undo", headers=api.mine)
    undone = await api.client.post(f"{API}/merges/{merge}/undo", headers=admin)
    again = await api.client.post(f"{API}/merges/{merge}/undo", headers=admin)

    assert len(detail["members"]) == 2
    assert [refused.status_code, undone.status_code, again.status_code] == [403, 204, 404]
    assert len((await api.get("/entities?type=person")).json()["entities"]) == 2


# A hand-made activity cursor whose time has no zone: ["2024-01-01T00:00:00", a uuid].
NAIVE_CURSOR = base64.urlsafe_b64encode(
    json.dumps(["2024-01-01T00:00:00", str(uuid4())]).encode()
).decode()


@pytest.mark.parametrize(
    "path",
    [
        "/activities?from=0001-01-01T00:00:00%2B14:00",
        "/export.ocel.json?from=0001-01-01T00:00:00%2B14:00",
        "/process-map?object_type=x&to=9999-12-31T23:59:59-01:00",
        "/activities?cursor=" + NAIVE_CURSOR,
    ],
)
async def test_times_beyond_the_range_or_without_a_zone_are_refused(api: Api, path: str) -> None:
    await _import(api, OCEL)  # a stored activity, so that a cursor is compared with it

    refused = await api.get(path, headers=api.admin)  # an admin: exports too

    assert refused.status_code == 422
    assert refused.json()["code"] in {"graph.invalid_window", "graph.invalid_cursor"}
