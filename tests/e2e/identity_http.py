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
