"""The password rules every scheme shares: at least 12 characters, at most 72 bytes in UTF-8.

bcrypt reads only the first 72 bytes of a password (and bcrypt 5 refuses longer ones), so the
cap applies to every scheme: switching schemes must never strand a password. Bytes are counted,
not characters, because a character takes 1 to 4 bytes. There is no pre-hash and no silent
truncation (OWASP: pre-hashing opens password shucking).
"""

from __future__ import annotations

from domain.identity.errors import PasswordNotText, PasswordTooLong, PasswordTooShort
from domain.shared.secret import Secret

MIN_PASSWORD_CHARACTERS = 12
MAX_PASSWORD_BYTES = 72


def byte_length(password: Secret[str]) -> int | None:
    """UTF-8 length, or None for text that has no UTF-8 form (a lone surrogate from JSON)."""
    try:
        return len(password.reveal().encode("utf-8"))
    except UnicodeEncodeError:
        return None


def fits_every_scheme(password: Secret[str]) -> bool:
    """Could this be a stored password? A longer one never is: sign-in just fails."""
    length = byte_length(password)
    return length is not None and length <= MAX_PASSWORD_BYTES


def check_new_password(password: Secret[str]) -> Secret[str]:
    """The rules for a password being set (sign-up, change, invitation)."""
    length = byte_length(password)
    if length is None:
        raise PasswordNotText()
    if length > MAX_PASSWORD_BYTES:
        raise PasswordTooLong(max_bytes=MAX_PASSWORD_BYTES, bytes=length)
    if len(password.reveal()) < MIN_PASSWORD_CHARACTERS:
        raise PasswordTooShort(min_characters=MIN_PASSWORD_CHARACTERS)
    return password
