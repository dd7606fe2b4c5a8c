"""Jira Cloud REST v3 reads under ``/ex/jira/{cloudid}``: JQL search, changelogs, myself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import msgspec
from litestar import Response, Router, get, post
from litestar.params import FromPath

from adapters.sandbox.bearer import authorized
from adapters.sandbox.context import AnyRequest, profile_of, sandbox_of
from adapters.sandbox.oauth.model import Family
from adapters.sandbox.providers.ids import atlassian_account, stable_uuid
from adapters.sandbox.providers.jira import issues, records
from adapters.sandbox.providers.jira.issues import IssueState
from adapters.sandbox.providers.jira.jql import JqlError, parse
from adapters.sandbox.reply import ProviderError, Reply
from adapters.sandbox.sandbox import Sandbox

WORK = ("read:jira-work",)
PAGE_TOKEN_AGE = timedelta(days=7)
SORTABLE = ("updated", "created", "key")
PAGE_MAX, ID_PAGE_MAX = 100, 5000  # the most per page; ids (or keys) alone come 5,000 at a time
EMBEDDED_HISTORIES = 40  # expand=changelog on /search/jql: the rest via the changelog endpoint


def cloud_id(sandbox: Sandbox) -> str:
    return stable_uuid("jira-cloud", sandbox.config.seed)


def errors(status: int, *messages: str) -> ProviderError:
    return ProviderError(Reply(status=status, body={"errorMessages": list(messages), "errors": {}}))


class SearchBody(msgspec.Struct, frozen=True, kw_only=True):
    jql: str = ""
    fields: list[str] = []
    maxResults: int = 50  # noqa: N815 - Jira's field names
    nextPageToken: str | None = None  # noqa: N815
    expand: str | None = None


@dataclass(frozen=True)
class _Site:
    sandbox: Sandbox
    family: Family
    cloud: str
    base: str  # the API base of this site, for "self" links


def _site(request: AnyRequest, cloud: str, *scopes: str) -> _Site:
    sandbox = sandbox_of(request)
    family = authorized(sandbox, profile_of(request, "jira"), request, *scopes)
    if cloud != cloud_id(sandbox):
        raise errors(404, "Site not found or not accessible with this token.")
    base = f"{sandbox.base_url(request, 'jira')}/ex/jira/{cloud}/rest/api/3"
    return _Site(sandbox, family, cloud, base)


@get("/search/jql")
async def search_get(request: AnyRequest, cloud: FromPath[str]) -> Response[bytes]:
    site = _site(request, cloud, *WORK)
    q = request.query_params
    body = SearchBody(
        jql=q.get("jql", ""),
        fields=[f for v in q.getall("fields", []) for f in v.split(",") if f],
        maxResults=int(q.get("maxResults", "50") or 50),
        nextPageToken=q.get("nextPageToken"),
        expand=q.get("expand"),
    )
    return _search(site, body).to_response()


@post("/search/jql")
async def search_post(request: AnyRequest, cloud: FromPath[str]) -> Response[bytes]:
    site = _site(request, cloud, *WORK)
    try:
        body = msgspec.json.decode(await request.body(), type=SearchBody)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise errors(400, str(error)) from None
    return _search(site, body).to_response()


@get("/search")
async def removed_search(request: AnyRequest, cloud: FromPath[str]) -> Response[bytes]:
    _site(request, cloud, *WORK)
    message = (
        "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."
    )
    raise errors(410, message)


def _issue(request: AnyRequest, cloud: str, issue: str) -> tuple[_Site, issues.IssueState]:
    site = _site(request, cloud, *WORK)
    found = issues.find(site.sandbox, issue, site.sandbox.clock.now())
    if found is None:
        raise errors(404, "Issue does not exist or you do not have permission to see it.")
    return site, found


@get("/issue/{issue:str}/changelog")
async def issue_changelog(
    request: AnyRequest, cloud: FromPath[str], issue: FromPath[str]
) -> Response[bytes]:
    site, found = _issue(request, cloud, issue)
    values = records.changelog(site.sandbox.dataset, found)
    start = int(request.query_params.get("startAt", "0") or 0)
    size = min(100, int(request.query_params.get("maxResults", "100") or 100))
    body = {
        "self": f"{site.base}/issue/{found.id}/changelog",
        "maxResults": size,
        "startAt": start,
        "total": len(values),
        "isLast": start + size >= len(values),
        "values": values[start : start + size],
    }
    return Reply(status=200, body=body).to_response()


@get("/issue/{issue:str}")
async def one_issue(
    request: AnyRequest, cloud: FromPath[str], issue: FromPath[str]
) -> Response[bytes]:
    """One issue by id or key, every field; ``expand=changelog`` adds its whole history."""
    site, found = _issue(request, cloud, issue)
    body: dict[str, Any] = {
        "id": found.id,
        "key": found.key,
        "self": f"{site.base}/issue/{found.id}",
        "fields": records.fields(site.sandbox.dataset, found),
    }
    if "changelog" in request.query_params.get("expand", "").split(","):
        values = records.changelog(site.sandbox.dataset, found)
        body["changelog"] = {"startAt": 0, "maxResults": len(values), "total": len(values),
                             "histories": values}  # fmt: skip
    return Reply(status=200, body=body).to_response()


@get("/myself")
async def myself(request: AnyRequest, cloud: FromPath[str]) -> Response[bytes]:
    site = _site(request, cloud, "read:jira-user", "read:jira-work", "read:me")
    person = site.sandbox.dataset.person(site.family.subject)
    body = records.person(person, own=True) if person else {"accountId": atlassian_account(0)}
    return Reply(status=200, body={**body, "locale": "en_US"}).to_response()


def site_router() -> Router:
    handlers = [search_get, search_post, removed_search, issue_changelog, one_issue, myself]
    return Router(
        path="/ex/jira/{cloud:str}/rest/api/3", route_handlers=handlers, include_in_schema=False
    )


def _search(site: _Site, body: SearchBody) -> Reply:
    sandbox = site.sandbox
    if body.nextPageToken:
        status, payload = sandbox.cursors.resolve("jira", "search", body.nextPageToken)
        if status != "ok":
            raise errors(400, "The provided next page token is invalid or expired.")
        keys, offset = payload
    else:
        keys, offset = _matching(sandbox, site.family, body.jql), 0
    every = not body.fields or {"*all", "*navigable"} & set(body.fields)
    wanted = None if every else set(body.fields)
    most = ID_PAGE_MAX if wanted is not None and wanted <= {"id", "key"} else PAGE_MAX
    size = min(most, max(1, body.maxResults))
    now = sandbox.clock.now()
    chunk = [
        issues.state(sandbox, sandbox.dataset.issues[k], now) for k in keys[offset : offset + size]
    ]
    out: dict[str, Any] = {
        "issues": [_render(site, i, wanted, body.expand) for i in chunk if i is not None]
    }
    if offset + size < len(keys):
        following = (keys, offset + size)
        out["nextPageToken"] = sandbox.cursors.issue(
            "jira", "search", following, max_age=PAGE_TOKEN_AGE
        )
    out["isLast"] = "nextPageToken" not in out  # the key itself is absent on the last page
    return Reply(status=200, body=out)


def _matching(sandbox: Sandbox, family: Family, text: str) -> list[int]:
    person = sandbox.dataset.person(family.subject)
    try:
        query = parse(text, person.timezone if person else "UTC")
    except JqlError as error:
        raise errors(400, str(error)) from None
    rows = []
    for found in issues.visible(sandbox, sandbox.clock.now()):
        values = _values(found)
        if all(_holds(c.field, c.op, c.value, values) for c in query.clauses):
            rows.append((values, found.issue.key))
    for field, descending in reversed(query.order):
        if field not in SORTABLE:
            raise errors(400, f"Not able to sort using field '{field}'.")
        rows.sort(key=_sort_key(field), reverse=descending)
    return [key for _, key in rows]


def _sort_key(field: str) -> Callable[[tuple[dict[str, Any], int]], Any]:
    def key(row: tuple[dict[str, Any], int]) -> Any:
        return row[1] if field == "key" else row[0][field]  # keys sort by number, not text

    return key


def _values(found: IssueState) -> dict[str, Any]:
    return {
        "updated": found.updated,
        "created": found.issue.created,
        "project": found.issue.project,
        "issuetype": found.issue.kind,
        "status": found.status,
        "key": found.key,
    }


def _holds(field: str, op: str, value: Any, values: dict[str, Any]) -> bool:
    if field not in values:
        message = f"Field '{field}' does not exist or you do not have permission to view it."
        raise errors(400, message)
    actual = values[field]
    if op == "in":
        return str(actual).lower() in {v.lower() for v in value}
    if isinstance(value, str):
        equal = str(actual).lower() == value.lower()
        return equal if op == "=" else (not equal if op == "!=" else False)
    return bool(
        {
            "=": actual == value,
            "!=": actual != value,
            ">": actual > value,
            ">=": actual >= value,
            "<": actual < value,
            "<=": actual <= value,
        }[op]
    )


def _render(
    site: _Site, found: IssueState, wanted: set[str] | None, expand: str | None
) -> dict[str, Any]:
    every = records.fields(site.sandbox.dataset, found)
    out: dict[str, Any] = {
        "expand": "operations,changelog",
        "id": found.id,
        "self": f"{site.base}/issue/{found.id}",
        "key": found.key,
        "fields": every if wanted is None else {k: v for k, v in every.items() if k in wanted},
    }
    if expand and "changelog" in expand:
        # The search embeds a few histories only; ``total`` tells the client to fetch the rest.
        histories = records.changelog(site.sandbox.dataset, found)
        out["changelog"] = {
            "startAt": 0,
            "maxResults": EMBEDDED_HISTORIES,
            "total": len(histories),
            "histories": histories[:EMBEDDED_HISTORIES],
        }
    return out
