"""HTTP helpers for the identity endpoints on the in-process harness."""

from __future__ import annotations

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
            token: str = message.text.split("#token=")[1].split()[0]
            if token.split(".")[1] == user_id:
                return token
    raise AssertionError("no verification email was sent to this user")


async def verify_email(
    client: AsyncTestClient[Any], sent: list[Any], tokens: dict[str, Any]
) -> None:
    """Follow the verification link from the outbox, as the new account's owner would."""
    token = verification_token(sent, tokens["user_id"])
    verified = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert verified.status_code == 204, verified.text


async def sign_up_verified(
    client: AsyncTestClient[Any],
    sent: list[Any],
    email: str | None = None,
    organisation: str = "Acme",
) -> dict[str, Any]:
    """Sign up and follow the verification link: an owner who may invite and connect."""
    tokens = await sign_up(client, email, organisation)
    await verify_email(client, sent, tokens)
    return tokens
