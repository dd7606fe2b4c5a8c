"""Salesforce's endpoints: OAuth (authorize, token, revoke, introspect), identity, REST query
and queryAll, getDeleted, limits."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath

from adapters.sandbox.bearer import authorized
from adapters.sandbox.oauth.params import body_values
from adapters.sandbox.oauth.refusal import Refused
from adapters.sandbox.oauth.revocation import revocation
from adapters.sandbox.oauth.routes import oauth_handlers
from adapters.sandbox.oauth.token_endpoint import authenticate_client
from adapters.sandbox.providers.ids import salesforce_id
from adapters.sandbox.providers.salesforce import objects, records, soql
from adapters.sandbox.providers.salesforce.deleted import DeletedRefused, deleted
from adapters.sandbox.providers.salesforce.profile import SalesforceProfile
from adapters.sandbox.reply import ProviderError, Reply
from adapters.sandbox.sandbox import Sandbox

VERSIONS = tuple(f"v{n}.0" for n in range(58, 64))
LOCATOR_IDLE = timedelta(minutes=15)
DAILY_ALLOWANCE = 100_000
_BATCH = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)

AnyRequest = Request[Any, Any, Any]


def build(sandbox: Sandbox) -> tuple[SalesforceProfile, Router]:
    def user_id(email: str) -> str:
        person = sandbox.dataset.person(email)
        return salesforce_id("User", person.key if person else 0)

    profile = SalesforceProfile(user_id)
    handlers = oauth_handlers(
        sandbox,
        profile,
        authorize="/services/oauth2/authorize",
        token_path="/services/oauth2/token",
    )

    @post("/services/oauth2/revoke", include_in_schema=False)
    async def revoke(request: AnyRequest) -> Response[bytes]:
        return (await _revoke(sandbox, request)).to_response()

    @post("/services/oauth2/introspect", include_in_schema=False)
    async def introspect(request: AnyRequest) -> Response[bytes]:
        return (await _introspect(sandbox, profile, request)).to_response()

    @get("/id/{org:str}/{user:str}", include_in_schema=False)
    async def identity(
        request: AnyRequest, org: FromPath[str], user: FromPath[str]
    ) -> Response[bytes]:
        family = authorized(sandbox, profile, request)
        person = sandbox.dataset.person(family.subject)
        body = {
            "id": str(request.url),
            "user_id": user,
            "organization_id": org,
            "username": family.subject,
            "email": family.subject,
            "display_name": person.name if person else "",
            "active": True,
        }
        return Reply(status=200, body=body).to_response()

    return profile, Router(
        path="/salesforce",
        route_handlers=[
            *handlers,
            revoke,
            introspect,
            identity,
            *_data_handlers(sandbox, profile),
        ],
    )


def _data_handlers(sandbox: Sandbox, profile: SalesforceProfile) -> list[HTTPRouteHandler]:
    """The REST data API: resource directory, query and queryAll with their locators,
    getDeleted, limits."""

    @get(
        ["/services/data/{version:str}/query", "/services/data/{version:str}/queryAll"],
        include_in_schema=False,
    )
    async def query(request: AnyRequest, version: FromPath[str]) -> Response[bytes]:
        authorized(sandbox, profile, request, "api", "full")
        return _query(sandbox, request, version).to_response()

    @get("/services/data/{version:str}/query/{locator:str}", include_in_schema=False)
    async def more(
        request: AnyRequest, version: FromPath[str], locator: FromPath[str]
    ) -> Response[bytes]:
        authorized(sandbox, profile, request, "api", "full")
        return _more(sandbox, version, locator).to_response()

    @get("/services/data/{version:str}/sobjects/{sobject:str}/deleted", include_in_schema=False)
    async def get_deleted(
        request: AnyRequest, version: FromPath[str], sobject: FromPath[str]
    ) -> Response[bytes]:
        authorized(sandbox, profile, request, "api", "full")
        return _deleted(sandbox, request, version, sobject).to_response()

    @get("/services/data/{version:str}/sobjects/{sobject:str}/{record_id:str}",
         include_in_schema=False)  # fmt: skip
    async def retrieve(
        request: AnyRequest,
        version: FromPath[str],
        sobject: FromPath[str],
        record_id: FromPath[str],
    ) -> Response[bytes]:
        authorized(sandbox, profile, request, "api", "full")
        return _retrieve(sandbox, version, sobject, record_id).to_response()

    @get("/services/data/{version:str}", include_in_schema=False)
    async def resources(request: AnyRequest, version: FromPath[str]) -> Response[bytes]:
        # The version's resource directory: what any API user may read (unlike /limits,
        # which needs "View Setup and Configuration"); its answer carries Sforce-Limit-Info.
        authorized(sandbox, profile, request, "api", "full")
        if version not in VERSIONS:
            return _error(404, "NOT_FOUND", "The requested resource does not exist").to_response()
        names = ("sobjects", "query", "queryAll", "limits")
        return _api_reply(
            sandbox, {name: f"/services/data/{version}/{name}" for name in names}
        ).to_response()

    @get("/services/data/{version:str}/limits", include_in_schema=False)
    async def limits(request: AnyRequest, version: FromPath[str]) -> Response[bytes]:
        authorized(sandbox, profile, request, "api", "full")
        used = sandbox.stats.get("salesforce", "api_calls")
        body = {"DailyApiRequests": {"Max": DAILY_ALLOWANCE, "Remaining": DAILY_ALLOWANCE - used}}
        return _api_reply(sandbox, body).to_response()

    return [resources, query, more, get_deleted, limits, retrieve]


def _api_reply(sandbox: Sandbox, body: Any, status: int = 200) -> Reply:
    used = sandbox.stats.get("salesforce", "api_calls")
    return Reply(
        status=status,
        body=body,
        headers=(("Sforce-Limit-Info", f"api-usage={used}/{DAILY_ALLOWANCE}"),),
    )


def _error(status: int, code: str, message: str) -> Reply:
    return Reply(status=status, body=[{"message": message, "errorCode": code}])


def _query(sandbox: Sandbox, request: AnyRequest, version: str) -> Reply:
    if version not in VERSIONS:
        return _error(404, "NOT_FOUND", "The requested resource does not exist")
    text = request.query_params.get("q")
    if not text:
        return _error(400, "MALFORMED_QUERY", "q is required")
    include_deleted = request.url.path.endswith("/queryAll")
    now = sandbox.clock.now()
    try:
        parsed = soql.parse(text)
        table = objects.rows(sandbox.dataset, parsed.sobject, now, sandbox.mutations)
        selected = records.run(parsed, table, include_deleted=include_deleted)
    except soql.SoqlError as error:
        return _error(400, error.code, str(error))
    rendered = [records.render(r, parsed.fields, parsed.sobject, version) for r in selected]
    return _page(sandbox, version, rendered, 0, _batch_size(request))


def _retrieve(sandbox: Sandbox, version: str, sobject: str, record_id: str) -> Reply:
    """One record with every field (an sObject retrieve); a deleted one is not found."""
    if version not in VERSIONS or sobject not in objects.SOBJECTS:
        return _error(404, "NOT_FOUND", "The requested resource does not exist")
    rows = objects.rows(sandbox.dataset, sobject, sandbox.clock.now(), sandbox.mutations)
    row = next((r for r in rows if r["Id"] == record_id and not r["IsDeleted"]), None)
    if row is None:
        return _error(404, "NOT_FOUND", "The requested resource does not exist")
    return _api_reply(sandbox, records.render(row, tuple(row), sobject, version))


def _deleted(sandbox: Sandbox, request: AnyRequest, version: str, sobject: str) -> Reply:
    if version not in VERSIONS:
        return _error(404, "NOT_FOUND", "The requested resource does not exist")
    params = dict(request.query_params.items())
    try:
        body = deleted(sandbox.dataset, sandbox.mutations, sobject, params, sandbox.clock.now())
    except DeletedRefused as refused:
        return _error(refused.status, refused.code, str(refused))
    return _api_reply(sandbox, body)


def _batch_size(request: AnyRequest) -> int:
    # Sforce-Query-Options: batchSize=N, 200..2000; the default is 2000.
    match = _BATCH.search(request.headers.get("sforce-query-options", ""))
    return min(2000, max(200, int(match.group(1)))) if match else 2000


def _page(
    sandbox: Sandbox, version: str, rendered: list[dict[str, Any]], offset: int, batch: int
) -> Reply:
    chunk = rendered[offset : offset + batch]
    body: dict[str, Any] = {"totalSize": len(rendered), "done": offset + batch >= len(rendered)}
    if not body["done"]:
        payload = (rendered, offset + batch, batch)
        handle = sandbox.cursors.issue("salesforce", "locator", payload, max_age=LOCATOR_IDLE)
        body["nextRecordsUrl"] = f"/services/data/{version}/query/01g{handle}-{offset + batch}"
    body["records"] = chunk
    return _api_reply(sandbox, body)


def _more(sandbox: Sandbox, version: str, locator: str) -> Reply:
    handle = locator[3:].rsplit("-", 1)[0] if locator.startswith("01g") else ""
    status, payload = sandbox.cursors.resolve("salesforce", "locator", handle)
    if status != "ok":
        return _error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    rendered, offset, batch = payload
    return _page(sandbox, version, rendered, offset, batch)


async def _revoke(sandbox: Sandbox, request: AnyRequest) -> Reply:
    asked = await revocation(sandbox, "salesforce", request)
    if asked.family is None:
        body = {
            "error": "unsupported_token_type",
            "error_description": "this token type is not supported",
        }
        return Reply(status=400, body=body)
    # A refresh token takes its access tokens with it; an access token goes alone.
    if asked.kind == "refresh":
        sandbox.tokens.revoke_family(asked.family.id, "revoked by the client")
    else:
        sandbox.tokens.revoke_access(asked.value)
    sandbox.stats.count("salesforce", asked.family.client_id, "tokens_revoked")
    return Reply(status=200, media_type="text/plain")


async def _introspect(sandbox: Sandbox, profile: SalesforceProfile, request: AnyRequest) -> Reply:
    try:
        params = await body_values(request, json_ok=False)
        registration = authenticate_client(sandbox, profile, request, params)
    except Refused as refused:
        raise ProviderError(profile.token_error(refused)) from None
    value = params.get("token", "")
    found = sandbox.tokens.family_of(value)
    if found is None or found[1].revoked or found[1].client_id != registration.client_id:
        return Reply(status=200, body={"active": False})
    kind, family = found
    body: dict[str, Any] = {
        "active": True,
        "scope": " ".join(family.scopes),
        "client_id": family.client_id,
        "username": family.subject,
        "sub": profile.user_id(family.subject),
        "token_type": f"{kind}_token",
    }
    expires = sandbox.tokens.expires_at(value) if kind == "access" else None
    if expires is not None:
        if expires <= sandbox.clock.now():
            return Reply(status=200, body={"active": False})
        body["exp"] = int(expires.timestamp())
    return Reply(status=200, body=body)
