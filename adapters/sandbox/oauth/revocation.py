"""RFC 7009 revocation requests: the token in the form body, never in the URL."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.sandbox.oauth.model import Family
from adapters.sandbox.oauth.params import AnyRequest, body_values
from adapters.sandbox.oauth.refusal import Refused
from adapters.sandbox.reply import ProviderError, Reply
from adapters.sandbox.sandbox import Sandbox


@dataclass(frozen=True)
class Revocation:
    value: str
    kind: str | None  # "access" or "refresh"; None when the token is unknown
    family: Family | None


async def revocation(sandbox: Sandbox, provider: str, request: AnyRequest) -> Revocation:
    """Read and count one revocation call; the provider decides what it revokes."""
    try:
        # Google also accepts ?token=; the sandbox insists on the body so no token reaches a log.
        params = await body_values(request, json_ok=False)
    except Refused as refused:
        body = {"error": "invalid_request", "error_description": refused.description}
        raise ProviderError(Reply(status=400, body=body)) from None
    value = params.get("token", "")
    found = sandbox.tokens.family_of(value)
    client = found[1].client_id if found else "unknown"
    sandbox.stats.count(provider, client, "revocation_calls")
    if found is None:
        return Revocation(value=value, kind=None, family=None)
    return Revocation(value=value, kind=found[0], family=found[1])
