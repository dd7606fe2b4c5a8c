"""The control API admits only callers presenting the key, and registers no way off the sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.sandbox.control_key import CONTROL_HEADER
from tests.factories.sandbox import CONTROL_KEY, connect, running_sandbox

EVIL = "https://evil.example/cb"
CONTROL_CALLS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/_control/stats", None),
    ("POST", "/_control/faults", {"provider": "jira", "fault": {"kind": "server_error"}}),
    ("GET", "/_control/faults", None),
    ("DELETE", "/_control/faults", None),
    ("GET", "/_control/clock", None),
    ("POST", "/_control/clock", {"advance_seconds": 3600}),
    ("GET", "/_control/clients", None),
    (
        "PUT",
        "/_control/clients",
        {
            "provider": "hubspot",
            "client_id": "x",
            "client_secret": "s",
            "redirect_uris": ["http://127.0.0.1:9/cb"],
        },
    ),
    ("POST", "/_control/consent", {"provider": "jira", "withhold_scopes": ["read:jira-work"]}),
    ("POST", "/_control/grants/revoke", {"provider": "jira"}),
    ("POST", "/_control/cursors/expire", {"provider": "jira"}),
    ("GET", "/_control/dataset", None),
    ("POST", "/_control/tokens/expire", {"provider": "jira"}),
    ("POST", "/_control/records", {"kind": "deal", "key": 1, "action": "touch"}),
]


@pytest.mark.parametrize("call", CONTROL_CALLS)
async def test_every_control_call_with_the_key_is_answered(
    call: tuple[str, str, dict[str, Any] | None],
) -> None:
    method, path, body = call
    async with running_sandbox() as h:
        answer = await h.client.request(method, path, json=body)

    assert answer.status_code in (200, 201), answer.text


def _evil_client(client_id: str = "evil") -> dict[str, Any]:
    return {
        "provider": "hubspot",
        "client_id": client_id,
        "client_secret": "s3cret",
        "redirect_uris": [EVIL],
    }


REFUSALS = [
    ({}, 401, "control_key_required"),
    ({CONTROL_HEADER: "guess"}, 403, "control_key_invalid"),
    ({CONTROL_HEADER: CONTROL_KEY.reveal() + "x"}, 403, "control_key_invalid"),
]


@pytest.mark.parametrize("call", CONTROL_CALLS)
@pytest.mark.parametrize("refusal", REFUSALS)
async def test_every_control_call_without_the_key_is_refused_and_changes_nothing(
    call: tuple[str, str, dict[str, Any] | None], refusal: tuple[dict[str, str], int, str]
) -> None:
    (method, path, body), (headers, status, code) = call, refusal
    async with running_sandbox() as h:
        before = (await h.client.get("/_control/stats")).json(), h.clock.now()
        answer = await h.stranger.request(method, path, json=body, headers=headers)
        after = (await h.client.get("/_control/stats")).json(), h.clock.now()
        faults = (await h.client.get("/_control/faults")).json()
        clients = (await h.client.get("/_control/clients")).json()

    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == code
    assert before == after
    assert faults == []
    assert len(clients) == 6
    assert h.sandbox.withheld == {}
    assert h.sandbox.cursors.epoch("jira") == 0
    assert h.sandbox.mutations.version == 0


async def test_the_open_redirect_is_closed_a_stranger_cannot_register_a_client() -> None:
    async with running_sandbox() as h:
        registered = await h.stranger.put("/_control/clients", json=_evil_client())
        # An authorization request the sandbox refuses (no response_type) is reported to the
        # redirect URI: had the registration worked, this would send the browser to EVIL.
        answer = await h.stranger.get(
            "/hubspot/oauth/authorize", params={"client_id": "evil", "redirect_uri": EVIL}
        )

    assert registered.status_code == 401
    assert answer.status_code == 400
    assert "location" not in answer.headers


@pytest.mark.parametrize(
    "uri",
    [
        EVIL,
        "http://evil.example\\@127.0.0.1/cb",  # a browser goes to evil.example
        "https://127.0.0.1.evil.example/cb",
        "javascript:alert(1)",
        "https://127.0.0.1:8443 /cb",
    ],
)
async def test_even_with_the_key_a_client_cannot_send_people_off_the_sandbox(uri: str) -> None:
    async with running_sandbox() as h:
        registered = await h.client.put(
            "/_control/clients",
            json=_evil_client() | {"redirect_uris": ["http://127.0.0.1/cb", uri]},
        )
        answer = await h.client.get(
            "/hubspot/oauth/authorize", params={"client_id": "evil", "redirect_uri": uri}
        )

    assert registered.status_code == 422
    assert registered.json()["error"] == "redirect_uri_not_allowed"
    assert answer.status_code == 400
    assert "location" not in answer.headers


@pytest.mark.parametrize(
    "uri",
    [
        "http://127.0.0.1:9999/cb",
        "http://localhost/cb",
        "http://[::1]:8080/cb",
        "https://127.0.0.1:8443/elsewhere",  # the origin of Atlas's callbacks at start
    ],
)
async def test_with_the_key_a_client_may_redirect_to_loopback_or_atlas(uri: str) -> None:
    async with running_sandbox() as h:
        registered = await h.client.put(
            "/_control/clients", json=_evil_client() | {"redirect_uris": [uri]}
        )
        answer = await h.client.get(
            "/hubspot/oauth/authorize", params={"client_id": "evil", "redirect_uri": uri}
        )

    assert registered.status_code == 200, registered.text
    assert answer.status_code == 302
    assert answer.headers["location"].startswith(uri)


async def test_a_sandbox_without_a_key_admits_nobody_to_its_control_api() -> None:
    async with running_sandbox(control_key=None) as h:
        answer = await h.client.get("/_control/stats")  # presents the tests' usual key

    assert answer.status_code == 403


async def test_the_providers_themselves_need_no_key() -> None:
    async with running_sandbox() as h:
        tokens = await connect(h.stranger, "jira")

    assert tokens["access_token"]
