"""The vault's values: the canonical AAD, the envelope format, API key rules and hints."""

from __future__ import annotations

from uuid import UUID

import pytest

from domain.shared.ids import TenantId, UserId
from domain.vault import envelope
from domain.vault.api_keys import check_name, check_value, clean_purpose, hint_of
from domain.vault.errors import (
    CredentialUnreadable,
    InvalidApiKeyName,
    InvalidApiKeyPurpose,
    InvalidApiKeyValue,
)
from domain.vault.model import Binding, Purpose

TENANT = TenantId(UUID("0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B"))
USER = UserId(UUID("0190A1B2-C3D4-7E5F-8A9B-000000000001"))
RECORD = UUID("0190A1B2-C3D4-7E5F-8A9B-00000000000F")


def test_the_aad_is_the_canonical_lowercase_encoding_of_the_binding() -> None:
    owned = Binding(tenant_id=TENANT, user_id=USER, purpose=Purpose.OAUTH_REFRESH, record_id=RECORD)
    tenant_wide = Binding(tenant_id=TENANT, user_id=None, purpose=Purpose.API_KEY, record_id=RECORD)

    assert owned.associated_data(12) == (
        b"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b|0190a1b2-c3d4-7e5f-8a9b-000000000001|"
        b"oauth_refresh|0190a1b2-c3d4-7e5f-8a9b-00000000000f|12"
    )
    assert tenant_wide.associated_data(1) == (
        b"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b||api_key|0190a1b2-c3d4-7e5f-8a9b-00000000000f|1"
    )


def test_no_purpose_can_break_the_encoding() -> None:
    assert all("|" not in purpose.value for purpose in Purpose)


def test_bindings_compare_by_value() -> None:
    def make(purpose: Purpose) -> Binding:
        return Binding(tenant_id=TENANT, user_id=USER, purpose=purpose, record_id=RECORD)

    assert make(Purpose.API_KEY) == make(Purpose.API_KEY)
    assert make(Purpose.API_KEY) != make(Purpose.OAUTH_ACCESS)
    assert len({make(Purpose.API_KEY), make(Purpose.API_KEY)}) == 1


def test_an_envelope_round_trips_and_anything_malformed_is_unreadable() -> None:
    iv, body = bytes(range(12)), bytes(32)
    sealed = envelope.pack(7, iv, body)

    assert sealed[:5] == b"\x01\x00\x00\x00\x07"
    assert envelope.unpack(sealed) == (7, iv, body)
    for broken in (sealed[:32], b"\x02" + sealed[1:], b""):
        with pytest.raises(CredentialUnreadable):
            envelope.unpack(broken)


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("sk-live-0123456789abcdef", "****cdef"),
        ("12345678", "****78"),  # a quarter of a short key at most
        ("1234567890ab", "****0ab"),
    ],
)
def test_a_hint_shows_at_most_the_last_four_characters(value: str, hint: str) -> None:
    assert hint_of(value) == hint


@pytest.mark.parametrize("name", ["openai", "a", "hub-spot_2", "x" * 63])
def test_good_names_pass(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize("name", ["", "Open", "-x", "a b", "x" * 64, "a/b", "ä"])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidApiKeyName):
        check_name(name)


@pytest.mark.parametrize("value", ["short", " sk-12345678", "sk-12345678\n", "sk-1234\t5678"])
def test_values_are_refused_not_altered(value: str) -> None:
    with pytest.raises(InvalidApiKeyValue):
        check_value(value)


def test_a_purpose_is_tidied_and_bounded() -> None:
    assert clean_purpose("  CRM   sync ") == "CRM sync"
    with pytest.raises(InvalidApiKeyPurpose):
        clean_purpose(" \n ")
    with pytest.raises(InvalidApiKeyPurpose):
        clean_purpose("x" * 201)
