"""HTTP helpers for the identity endpoints on the in-process harness."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from uuid import uuid4

from litestar.testing import AsyncTestClient

PASSWORD = "correct horse battery staple"


async def sign_up(
    client: AsyncTestClient[Any], email: str | None = None, organisation: str = "Acme"
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/auth/signup",
        json={
            "email": email or f"person-{uuid4().hex[:10]}@example.com",
            "password": PASSWORD,
            "name": "Ada Lovelace",
            "organisation": organisation,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def join(
    client: AsyncTestClient[Any], sent: list[Any], owner: dict[str, Any], role: str, email: str
) -> dict[str, Any]:
    """Invite ``email`` to the owner's tenant as ``role`` and accept: the newcomer's tokens.
    ``sent`` is the fake email sender's outbox, where the invitation's link arrives."""
    invited = await client.post(
        "/api/v1/tenants/current/invitations",
        json={"email": email, "role": role},
        headers=bearer(owner),
    )
    assert invited.status_code == 201, invited.text
    token = sent[-1].text.split("#token=")[1].split()[0]
    accepted = await client.post(
        "/api/v1/auth/invitations/accept",
        json={"token": token, "password": PASSWORD, "name": role.title()},
    )
    assert accepted.status_code == 200, accepted.text
    return accepted.json()  # type: ignore[no-any-return]


def verification_token(sent: list[Any], user_id: str) -> str:
    """The newest verification link's token emailed to ``user_id`` (``sent``: an outbox)."""
    for message in reversed(sent):
        if message.kind == "email_verification":
            token = _token_for(message.text, user_id)
            if token is not None:
                return token
    raise AssertionError("no verification email was sent to this user")


def _token_for(text: str, user_id: str) -> str | None:
    token: str = text.split("#token=")[1].split()[0]
    return token if token.split(".")[1] == user_id else None


async def _token_from_files(client: AsyncTestClient[Any], tokens: dict[str, Any]) -> str:
    """From the development outbox, found as a developer finds it: ``GET /me`` names it."""
    me = await client.get("/api/v1/me", headers=bearer(tokens))
    directory = Path(me.json()["email_outbox"])
    texts = await asyncio.to_thread(_verification_texts, directory)
    for text in texts:
        token = _token_for(text, tokens["user_id"])
        if token is not None:
            return token
    raise AssertionError(f"no verification email for this user in {directory}")


def _verification_texts(directory: Path) -> list[str]:
    """Newest first (the file names start with a timestamp)."""
    paths = sorted(directory.glob("*-email_verification-*.txt"), reverse=True)
    return [path.read_text() for path in paths]


async def verify_email(
    client: AsyncTestClient[Any], sent: list[Any] | None, tokens: dict[str, Any]
) -> None:
    """Follow the verification link, as the new account's owner would: from ``sent`` (a fake
    sender's outbox), or with None from the files the development outbox writes."""
    if sent is None:
        token = await _token_from_files(client, tokens)
    else:
        token = verification_token(sent, tokens["user_id"])
    verified = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert verified.status_code == 204, verified.text


async def sign_up_verified(
    client: AsyncTestClient[Any],
    sent: list[Any] | None = None,
    email: str | None = None,
    organisation: str = "Acme",
) -> dict[str, Any]:
    """Sign up and follow the verification link: an owner who may invite and connect."""
    tokens = await sign_up(client, email, organisation)
    await verify_email(client, sent, tokens)
    return tokens
