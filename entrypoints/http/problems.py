"""How problem documents appear in the OpenAPI schema, so clients (and schemathesis) know them."""

from __future__ import annotations

from litestar.openapi import ResponseSpec
from litestar.openapi.spec import SecurityRequirement
from msgspec import Struct

from entrypoints.http.errors import PROBLEM_JSON

BEARER = "BearerToken"
BEARER_REQUIRED: list[SecurityRequirement] = [{BEARER: []}]


class Problem(Struct, frozen=True, kw_only=True):
    """RFC 9457 problem details; ``code`` is stable, other members may be added."""

    type: str
    title: str
    status: int
    code: str
    detail: str | None = None
    # tenancy.wrong_region: the tenant's region, and its deployment's URL when configured.
    region: str | None = None
    region_url: str | None = None


_DESCRIPTIONS = {
    400: "The request is malformed (not JSON, wrong types, missing fields)",
    401: "Not signed in, or the credentials or token are not valid",
    403: "Signed in, but not allowed to do this",
    404: "No such thing in this tenant",
    409: "Conflicts with the current state (tenancy.wrong_region: another region's tenant)",
    413: "The request body is too large",
    422: "The values break a rule",
    429: "Too many attempts; see Retry-After",
    503: "Busy or unavailable; see Retry-After",
}


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """Responses for ``statuses``, plus what every request can get (400, 413, 429 at the edge)."""
    wanted = sorted({400, 413, *statuses})
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=_DESCRIPTIONS[status],
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
        for status in wanted
    }
