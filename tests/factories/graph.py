"""Graph records for tests: valid, unique defaults, and hypothesis strategies for random logs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from hypothesis import strategies as st

from domain.graph.model import (
    Activity,
    ActivityId,
    ActivityRecord,
    EntityId,
    EntityRecord,
    GraphBatch,
    Link,
    ObjectLink,
    SourceRef,
    record_id,
)
from domain.graph.sequence import Occurrence, merge
from domain.shared.ids import TenantId

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
PROVIDER = "test"


def ref(source_id: str, scope: str = "conn-1", provider: str = PROVIDER) -> SourceRef:
    return SourceRef(provider=provider, scope=scope, source_id=source_id)


def create_entity(**overrides: Any) -> EntityRecord:
    values: dict[str, Any] = {"ref": ref(f"e-{uuid4().hex[:10]}"), "type": "ticket"}
    return EntityRecord(**(values | overrides))


def create_activity(**overrides: Any) -> ActivityRecord:
    values: dict[str, Any] = {
        "ref": ref(f"a-{uuid4().hex[:10]}"),
        "type": "Opened",
        "occurred_at": T0,
    }
    return ActivityRecord(**(values | overrides))


def stored(tenant_id: TenantId, record: ActivityRecord) -> Activity:
    """What a delivered record becomes once stored (independent of any repository)."""

    def entity(r: SourceRef) -> EntityId:
        return EntityId(record_id(tenant_id, "entity", r))

    return Activity(
        id=ActivityId(record_id(tenant_id, "activity", record.ref)),
        ref=record.ref,
        type=record.type,
        occurred_at=record.occurred_at.astimezone(UTC),
        source_seq=record.source_seq,
        actor_id=entity(record.actor) if record.actor else None,
        attributes=dict(record.attributes),
        objects=tuple(
            sorted(
                {
                    ObjectLink(entity_id=entity(link.object), qualifier=link.qualifier)
                    for link in record.links
                }
            )
        ),
        url=record.url,
    )


# A small world so that random logs collide: shared objects, equal times, equal sequences.
OBJECTS = [(f"case-{i}", "case") for i in range(4)] + [(f"ticket-{i}", "ticket") for i in range(2)]
ACTORS = [f"person-{i}" for i in range(3)]
TYPES = ["Open", "Triage", "Fix", "Close"]


def world_entities() -> list[EntityRecord]:
    objects = [EntityRecord(ref=ref(i), type=t, name=i.title()) for i, t in OBJECTS]
    people = [EntityRecord(ref=ref(p), type="resource", name=p.title()) for p in ACTORS]
    return objects + people


@st.composite
def activity_records(draw: st.DrawFn, source_id: str) -> ActivityRecord:
    links = draw(st.lists(st.sampled_from(OBJECTS), min_size=1, max_size=3, unique=True))
    actor = draw(st.none() | st.sampled_from(ACTORS))
    return ActivityRecord(
        ref=ref(source_id),
        type=draw(st.sampled_from(TYPES)),
        occurred_at=T0 + timedelta(minutes=draw(st.integers(0, 40))),
        source_seq=draw(st.integers(0, 3)),
        actor=ref(actor) if actor else None,
        links=tuple(
            Link(object=ref(i), qualifier=draw(st.sampled_from(["", "about"]))) for i, _ in links
        ),
    )


@st.composite
def deliveries(draw: st.DrawFn) -> list[GraphBatch]:
    """Random activities (some delivered twice, some in an earlier version first), shuffled
    and cut into random batches; the world's entities come first and recur at random."""
    count = draw(st.integers(1, 25))
    records = [draw(activity_records(f"act-{n}")) for n in range(count)]
    repeats = draw(st.lists(st.sampled_from(records), max_size=8))
    versions = [
        draw(activity_records(r.ref.source_id))
        for r in draw(st.lists(st.sampled_from(records), max_size=4))
    ]
    stream = draw(st.permutations(records + repeats + versions))
    cuts = sorted(draw(st.lists(st.integers(0, len(stream)), max_size=5)))
    pieces = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]
    entities = tuple(world_entities())
    batches = [GraphBatch(entities=entities)]
    for piece in pieces:
        again = entities if draw(st.booleans()) else ()
        batches.append(GraphBatch(entities=again, activities=tuple(piece)))
    return batches


def last_versions(batches: Iterable[GraphBatch]) -> list[ActivityRecord]:
    latest: dict[SourceRef, ActivityRecord] = {}
    for batch in batches:
        for record in batch.activities:
            latest[record.ref] = record
    return list(latest.values())


def object_types(tenant_id: TenantId, records: Sequence[EntityRecord]) -> dict[EntityId, str]:
    return {EntityId(record_id(tenant_id, "entity", r.ref)): r.type for r in records}


def seed_batch() -> GraphBatch:
    """A batch that writes a row into every graph table (two people merge by email)."""
    from domain.graph.catalog import AttributeDeclaration, TypeDeclaration
    from domain.graph.model import Identity, RelationshipRecord

    ticket = EntityRecord(ref=ref("seed-ticket"), type="ticket", name="Seed ticket")
    mail = Identity(kind="email", value="ada@example.com")
    crm = EntityRecord(ref=ref("seed-ada", scope="crm"), type="person", identities=(mail,))
    chat = EntityRecord(ref=ref("seed-ada", scope="chat"), type="person", identities=(mail,))
    return GraphBatch(
        types=(
            TypeDeclaration(
                kind="object",
                name="ticket",
                attributes=(AttributeDeclaration(name="priority", type="string"),),
            ),
        ),
        entities=(ticket, crm, chat),
        relationships=(RelationshipRecord(source=crm.ref, target=ticket.ref, qualifier="owns"),),
        activities=(
            create_activity(actor=crm.ref, links=(Link(object=ticket.ref),)),
            create_activity(
                type="Closed", occurred_at=T0 + timedelta(hours=1), actor=chat.ref,
                links=(Link(object=ticket.ref),),
            ),
        ),
    )  # fmt: skip


class BytesSource:
    """An ``ImportSource`` over bytes in memory, delivered in small chunks."""

    def __init__(self, data: bytes, *, name: str = "log", chunk: int = 4096) -> None:
        import hashlib

        self.data, self.name, self.size, self._chunk = data, name, len(data), chunk
        self.sha256 = hashlib.sha256(data).hexdigest()

    async def chunks(self) -> Any:
        for start in range(0, len(self.data), self._chunk):
            yield self.data[start : start + self._chunk]


ACTOR_IDS = [EntityId(UUID(int=n + 1)) for n in range(4)]


@st.composite
def occurrence_logs(draw: st.DrawFn) -> dict[EntityId, tuple[Occurrence, ...]]:
    """Objects' traces drawn from one pool of occurrences: some activities are in several."""
    pool = [
        Occurrence(
            activity_id=ActivityId(UUID(int=(n + 1) << 64 | n)),
            at=draw(st.integers(0, 3_600)) * 1_000_000 + draw(st.sampled_from([0, 1, 999_999])),
            seq=draw(st.integers(0, 2)),
            type=draw(st.sampled_from(TYPES)),
            actor_id=draw(st.none() | st.sampled_from(ACTOR_IDS)),
        )
        for n in range(draw(st.integers(0, 40)))
    ]
    objects = draw(st.integers(1, 6))
    result: dict[EntityId, tuple[Occurrence, ...]] = {}
    for index in range(objects):
        chosen = draw(st.lists(st.sampled_from(pool), max_size=15)) if pool else []
        result[EntityId(UUID(int=1000 + index))] = merge((), chosen)
    return result
