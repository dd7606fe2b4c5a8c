"""The audit chain's encoding and verification: any change, removal or swap breaks it there."""

from __future__ import annotations

import itertools
import struct
from datetime import UTC, datetime

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.compliance.audit import (
    GENESIS,
    AuditAction,
    AuditEntry,
    AuditRecord,
    ChainBreak,
    ChainVerifier,
    Seal,
    canonical_bytes,
    micros,
)
from tests.factories.audit import create_chain

pytestmark = pytest.mark.unit

_TEXT_FIELDS = ("actor_type", "action", "target_type", "outcome", "request_id")
_SEALED_FIELDS = ("actor", "target", "address")


def _verify(chain: list[AuditRecord]) -> ChainBreak | None:
    sut = ChainVerifier(chain[0].tenant_id)
    for link in chain:
        if sut.add(link) is not None:
            break
    head = chain[-1] if chain else None
    return sut.finish(head.seq if head else 0, head.hash if head else GENESIS)


def _changed_seal(seal: Seal, data: st.DataObject) -> Seal:
    """One byte of the value, the salt or the seal itself changed (never a proper erasure)."""
    part = data.draw(st.sampled_from(("value", "salt", "digest")))
    if part == "value":
        raw = seal.value.encode() or b"\x00"
        value = _flip(raw, data.draw(st.integers(0, len(raw) - 1))).decode("latin-1")
        return Seal(value, seal.salt, seal.digest)
    raw = getattr(seal, part)
    flipped = _flip(raw, data.draw(st.integers(0, len(raw) - 1)))
    return (
        Seal(seal.value, flipped, seal.digest)
        if part == "salt"
        else Seal(seal.value, seal.salt, flipped)
    )


def test_erasing_a_sealed_value_keeps_the_chain_and_shows_it_erased() -> None:
    chain = create_chain(3)
    link = chain[1]
    chain[1] = msgspec.structs.replace(
        link, actor=link.actor.erased(), address=link.address.erased()
    )

    assert _verify(chain) is None
    assert (chain[1].actor_id, chain[1].actor.salt) == ("", None)
    # A dropped salt with the value left behind is not an erasure: the chain refuses it.
    chain[1] = msgspec.structs.replace(link, target=Seal(link.target_id, None, link.target.digest))
    assert _verify(chain) == ChainBreak(
        tenant_id=link.tenant_id, seq=2, reason="a sealed value does not match its seal"
    )


def _flip(value: bytes, at: int) -> bytes:
    return value[:at] + bytes([value[at] ^ 0x01]) + value[at + 1 :]


def test_an_untouched_chain_verifies_to_its_head() -> None:
    chain = create_chain(5)

    assert _verify(chain) is None
    assert chain[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(chain))


def test_the_encoding_is_length_prefixed_and_field_ordered() -> None:
    (link,) = create_chain(1)

    raw = canonical_bytes(link)

    assert raw.startswith(b"atlas-audit-v1" + link.tenant_id.bytes)
    assert struct.unpack(">Qq", raw[30:46]) == (1, micros(link.at))
    assert raw[46:50] == struct.pack(">I", len(b"user"))
    assert raw[50:54] == b"user"
    assert raw.endswith(b"\x00\x00\x00\x04role\x00\x00\x00\x05admin")


def test_time_is_the_same_instant_whatever_zone_it_is_written_in() -> None:
    utc = datetime(2026, 1, 15, 9, 30, 0, 123456, tzinfo=UTC)

    assert micros(utc) == micros(utc.astimezone()) == 1768469400123456


@settings(deadline=None, max_examples=200)
@given(data=st.data())
def test_any_single_byte_change_to_any_field_breaks_the_chain_at_that_row(
    data: st.DataObject,
) -> None:
    chain = create_chain(4)
    index = data.draw(st.integers(0, 3))
    field = data.draw(
        st.sampled_from((*_TEXT_FIELDS, *_SEALED_FIELDS, "details", "hash", "prev_hash", "at"))
    )
    link = chain[index]
    if field in _SEALED_FIELDS:
        changed = _changed_seal(getattr(link, field), data)
    elif field in _TEXT_FIELDS:
        raw = getattr(link, field).encode() or b"\x00"
        changed: object = _flip(raw, data.draw(st.integers(0, len(raw) - 1))).decode("latin-1")
    elif field == "details":
        changed = {**link.details, "role": "admim"}
    elif field == "at":
        changed = link.at.replace(microsecond=(link.at.microsecond + 1) % 1_000_000)
    else:
        raw = getattr(link, field)
        changed = _flip(raw, data.draw(st.integers(0, len(raw) - 1)))
    chain[index] = msgspec.structs.replace(link, **{field: changed})

    broken = _verify(chain)

    assert broken is not None
    assert broken.seq == index + 1


@settings(deadline=None)
@given(data=st.data())
def test_swapping_or_removing_rows_breaks_the_chain_at_the_first_moved_row(
    data: st.DataObject,
) -> None:
    chain = create_chain(6)
    i = data.draw(st.integers(0, 4))
    j = data.draw(st.integers(i + 1, 5))
    swapped = list(chain)
    # A reorder as the database would show it: contents exchanged, each row keeps its number.
    swapped[i] = msgspec.structs.replace(chain[j], seq=i + 1)
    swapped[j] = msgspec.structs.replace(chain[i], seq=j + 1)
    removed = chain[:i] + chain[i + 1 :]

    moved = _verify(swapped)
    assert moved is not None
    assert moved.seq == i + 1
    gap = _verify(removed)
    assert gap is not None
    assert gap.seq == i + 1


def test_a_missing_tail_shows_against_the_head() -> None:
    chain = create_chain(3)
    sut = ChainVerifier(chain[0].tenant_id)
    for link in chain[:2]:
        sut.add(link)

    broken = sut.finish(3, chain[2].hash)

    assert broken is not None
    assert broken.seq == 3


def test_an_entry_refuses_content_sized_values() -> None:
    with pytest.raises(ValueError, match="short name or id"):
        AuditEntry(action=AuditAction.SIGN_IN, details={"subject": "x" * 500})
