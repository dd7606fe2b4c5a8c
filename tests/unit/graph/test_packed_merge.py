"""The packed merge (numpy over stored bytes) is the domain's merge, record for record."""

from __future__ import annotations

from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.postgres.graph_codec import pack, unpack
from adapters.postgres.graph_merge import join_packed, merge_packed
from domain.graph.model import ActivityId, EntityId
from domain.graph.sequence import Occurrence, merge

TYPES = ("Open", "Pending", "Solved")
CODES = {name: n for n, name in enumerate(TYPES)}
NAMES = dict(enumerate(TYPES))

ids = st.integers(min_value=0, max_value=30).map(
    lambda n: ActivityId(UUID(int=(n * 0x9E3779B97F4A7C15 << 64) % (1 << 128)))
)
occurrences = st.builds(
    Occurrence,
    activity_id=ids,
    at=st.integers(min_value=0, max_value=5),  # few distinct times: ties are the point
    seq=st.integers(min_value=0, max_value=2),
    type=st.sampled_from(TYPES),
    actor_id=st.one_of(st.none(), st.just(EntityId(UUID(int=7)))),
)


@settings(max_examples=300)
@given(
    stored=st.lists(occurrences, max_size=20),
    arrivals=st.lists(occurrences, max_size=10),
    removed=st.sets(ids, max_size=5),
)
def test_the_packed_merge_equals_the_domain_merge(
    stored: list[Occurrence], arrivals: list[Occurrence], removed: set[ActivityId]
) -> None:
    before = merge((), stored)  # a stored sequence is always ordered and unique

    packed = merge_packed(pack(before, CODES), arrivals, removed, CODES)

    assert unpack(packed, NAMES) == merge(before, arrivals, removed)


@settings(max_examples=200)
@given(survivor=st.lists(occurrences, max_size=20), absorbed=st.lists(occurrences, max_size=20))
def test_joining_two_packed_sequences_equals_the_domain_merge(
    survivor: list[Occurrence], absorbed: list[Occurrence]
) -> None:
    kept, arriving = merge((), survivor), merge((), absorbed)

    joined = join_packed(pack(kept, CODES), pack(arriving, CODES))

    assert unpack(joined, NAMES) == merge(kept, arriving)
