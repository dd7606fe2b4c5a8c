"""Values that carry vault plaintexts never show it in a repr, a str, a log line or JSON."""

from __future__ import annotations

import json
import logging

import msgspec
import pytest

from application.vault.store_api_key import StoreApiKeyCommand
from domain.shared.secret import Secret
from domain.vault.oauth import OAuthTokens
from entrypoints.http.controllers.api_keys import StoreApiKeyBody
from tests.factories.vault import marker

pytestmark = pytest.mark.unit


def test_token_and_key_values_hide_their_plaintext(caplog: pytest.LogCaptureFixture) -> None:
    access, refresh, key = marker("access"), marker("refresh"), marker("key")
    values: list[object] = [
        OAuthTokens(access_token=Secret(access), refresh_token=Secret(refresh)),
        StoreApiKeyCommand(name="crm", purpose="p", value=Secret(key)),
        StoreApiKeyBody(value=key, purpose="p"),
    ]

    with caplog.at_level(logging.DEBUG):
        for value in values:
            logging.getLogger("atlas.test").info("value %s %r", value, value)
    shown = caplog.text + "".join(repr(v) + str(v) + f"{v}" for v in values)

    assert [m for m in (access, refresh, key) if m in shown] == []
    for value in values[:2]:  # the ones holding Secret refuse to be encoded at all
        with pytest.raises(TypeError):
            msgspec.json.encode(value)
        with pytest.raises(TypeError):
            json.dumps(value, default=msgspec.to_builtins)
