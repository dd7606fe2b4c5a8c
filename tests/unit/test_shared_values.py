"""Shared values: ids are time-ordered UUIDv7, secrets never show themselves."""

from __future__ import annotations

import json
import logging
import pickle

import msgspec
import pytest

from domain.identity.errors import InvalidEmail
from domain.identity.model import normalise_email
from domain.shared.ids import new_id
from domain.shared.secret import Secret


def test_ids_are_version_7_and_sort_by_creation() -> None:
    ids = [new_id() for _ in range(1000)]

    assert {i.version for i in ids} == {7}
    assert {i.variant for i in ids} == {"specified in RFC 4122"}
    assert len(set(ids)) == 1000
    assert [i.int >> 80 for i in ids] == sorted(i.int >> 80 for i in ids)  # millisecond prefix


def test_a_secret_hides_in_repr_str_format_logs_and_encoders(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sut = Secret("s3cr3t-value")

    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("token %s %r", sut, sut)
    shown = [repr(sut), str(sut), f"{sut}", f"{sut!r}", caplog.text]

    assert all("s3cr3t" not in text for text in shown)
    assert sut.reveal() == "s3cr3t-value"
    with pytest.raises(TypeError):
        json.dumps(sut)
    with pytest.raises(TypeError):
        msgspec.json.encode(sut)
    with pytest.raises(TypeError):
        pickle.dumps(sut)


def test_secrets_compare_by_value() -> None:
    assert Secret("a") == Secret("a")
    assert Secret("a") != Secret("b")
    assert Secret(b"a") != Secret("a")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("  Ada@Example.COM ", "ada@example.com"), ("a.b+c@sub.example.org", "a.b+c@sub.example.org")],
)
def test_emails_are_normalised(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "ada",
        "ada@",
        "@example.com",
        "ada@example",
        "a b@example.com",
        "ada@@example.com",
        "ada@.example.com",
        "x" * 250 + "@example.com",
    ],
)
def test_malformed_emails_are_refused(raw: str) -> None:
    with pytest.raises(InvalidEmail):
        normalise_email(raw)
