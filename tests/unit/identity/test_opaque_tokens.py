"""Opaque tokens: 256 random bits behind ids that only choose the scope; stored as SHA-256."""

from __future__ import annotations

import hashlib
from uuid import uuid4

import pytest

from domain.identity import opaque


def test_a_minted_token_parses_back_and_hashes_to_its_digest() -> None:
    tenant, subject = uuid4(), uuid4()

    sut = opaque.mint(tenant, subject)
    parsed = opaque.parse(sut.value)

    assert parsed is not None
    assert (parsed.tenant_id, parsed.subject_id) == (tenant, subject)
    assert parsed.digest == hashlib.sha256(sut.value.encode()).digest() == sut.digest
    assert len(sut.value.rsplit(".", 1)[1]) >= 43  # 32 bytes, base64url
    assert sut.value not in repr(sut)


def test_every_minted_secret_differs() -> None:
    tenant, subject = uuid4(), uuid4()

    values = {opaque.mint(tenant, subject).value for _ in range(1000)}

    assert len(values) == 1000


@pytest.mark.parametrize(
    "value",
    [
        "",
        "not-a-token",
        f"{uuid4()}.{uuid4()}",
        f"{uuid4()}.{uuid4()}.short",
        f"not-a-uuid.{uuid4()}.{'x' * 43}",
        f"{str(uuid4()).upper()}.{uuid4()}.{'x' * 43}",  # another spelling of the same id
        f"{uuid4()}.{uuid4()}.{'é' * 43}",
        f"{uuid4()}.{uuid4()}.{'x' * 500}",
    ],
)
def test_anything_not_shaped_like_a_token_is_refused(value: str) -> None:
    assert opaque.parse(value) is None
