"""Password rules count UTF-8 bytes: 72 is the most any scheme accepts, 12 characters the least."""

from __future__ import annotations

import pytest

from domain.identity.errors import PasswordNotText, PasswordTooLong, PasswordTooShort
from domain.identity.password import check_new_password, fits_every_scheme
from domain.shared.secret import Secret


@pytest.mark.parametrize(
    "password",
    ["a" * 72, "é" * 36, "🔑" * 18, "twelve chars", "x" * 12],
    ids=["72-ascii", "72-bytes-of-é", "72-bytes-of-emoji", "12-characters", "12-x"],
)
def test_passwords_of_12_characters_up_to_72_bytes_are_accepted(password: str) -> None:
    assert check_new_password(Secret(password)).reveal() == password
    assert fits_every_scheme(Secret(password))


@pytest.mark.parametrize(
    "password",
    ["a" * 73, "é" * 37, "🔑" * 19, "x" * 10_000],
    ids=["73-ascii", "37-é-is-74-bytes", "19-emoji-is-76-bytes", "10000-characters"],
)
def test_passwords_over_72_bytes_are_refused_whatever_their_length_in_characters(
    password: str,
) -> None:
    with pytest.raises(PasswordTooLong) as refused:
        check_new_password(Secret(password))

    assert refused.value.details == {"max_bytes": 72, "bytes": len(password.encode())}
    assert not fits_every_scheme(Secret(password))


@pytest.mark.parametrize("password", ["", "short", "eleven char"])
def test_passwords_under_12_characters_are_refused(password: str) -> None:
    with pytest.raises(PasswordTooShort):
        check_new_password(Secret(password))


def test_text_without_a_utf8_form_is_refused_and_never_fits() -> None:
    lone_surrogate = Secret("abc\ud800defghijklmn")

    with pytest.raises(PasswordNotText):
        check_new_password(lone_surrogate)
    assert not fits_every_scheme(lone_surrogate)
