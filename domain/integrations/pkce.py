"""PKCE (RFC 7636), S256 only: ``plain`` sends the verifier itself and protects nothing."""

from __future__ import annotations

import base64
import hashlib
import secrets

VERIFIER_MIN, VERIFIER_MAX = 43, 128
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def new_verifier() -> str:
    """86 characters from 64 random bytes, within RFC 7636's 43-128 (security.md R7.1)."""
    return secrets.token_urlsafe(64)


def challenge(verifier: str) -> str:
    """BASE64URL(SHA256(ASCII(verifier))) without padding."""
    if not VERIFIER_MIN <= len(verifier) <= VERIFIER_MAX or not set(verifier) <= _UNRESERVED:
        raise ValueError("a PKCE verifier is 43-128 unreserved characters")
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
