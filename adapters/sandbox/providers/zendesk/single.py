"""Zendesk's single-record reads: a ticket, one of its audits, a user, an organization."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, Response, get
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath

from adapters.sandbox.bearer import authorized
from adapters.sandbox.providers.zendesk.events import audits
from adapters.sandbox.providers.zendesk.profile import ZendeskProfile
from adapters.sandbox.providers.zendesk.records import (
    ORG_BASE,
    TICKET_BASE,
    USER_BASE,
    organization,
    ticket,
    ticket_state,
    user,
)
from adapters.sandbox.reply import Reply
from adapters.sandbox.sandbox import Sandbox
from adapters.sandbox.seed.model import Ticket

AnyRequest = Request[Any, Any, Any]
READ = ("read", "tickets:read")
NOT_FOUND = Reply(status=404, body={"error": "RecordNotFound", "description": "Not found"})


def _number(segment: str) -> int:
    """``123`` of ``123.json`` or ``123`` (a path's last segment ends in .json, a ticket's in
    ``tickets/123/audits`` does not); -1 for anything else."""
    digits = segment.removesuffix(".json")
    return int(digits) if digits.isdigit() else -1


def _ticket(sandbox: Sandbox, ticket_id: int) -> Ticket | None:
    key = ticket_id - TICKET_BASE
    if not 0 <= key < len(sandbox.dataset.tickets):
        return None
    found = sandbox.dataset.tickets[key]
    state = ticket_state(sandbox.mutations, found, sandbox.clock.now())
    return None if state is None or state.status == "deleted" else found


def one_ticket_reply(sandbox: Sandbox, ticket_id: int, base: str) -> Reply:
    found = _ticket(sandbox, ticket_id)
    if found is None:
        return NOT_FOUND
    state = ticket_state(sandbox.mutations, found, sandbox.clock.now())
    assert state is not None  # noqa: S101 - checked by _ticket
    return Reply(status=200, body={"ticket": ticket(sandbox.dataset, found, state, base)})


def one_audit_reply(sandbox: Sandbox, ticket_id: int, audit_id: int) -> Reply:
    found = _ticket(sandbox, ticket_id)
    listed = audits(sandbox.mutations, found, sandbox.clock.now()) if found else []
    audit: dict[str, Any] | None = next((a for a in listed if a["id"] == audit_id), None)
    return NOT_FOUND if audit is None else Reply(status=200, body={"audit": audit})


def one_user_reply(sandbox: Sandbox, user_id: int, base: str) -> Reply:
    key = user_id - USER_BASE
    people = sandbox.dataset.people
    if not 0 <= key < len(people):
        return NOT_FOUND
    return Reply(status=200, body={"user": user(people[key], base)})


def one_organization_reply(sandbox: Sandbox, organization_id: int, base: str) -> Reply:
    key = organization_id - ORG_BASE
    accounts = sandbox.dataset.accounts
    if not 0 <= key < len(accounts):
        return NOT_FOUND
    return Reply(status=200, body={"organization": organization(accounts[key], base)})


def handlers(
    sandbox: Sandbox, profile: ZendeskProfile, api_base: Callable[[AnyRequest], str]
) -> list[HTTPRouteHandler]:
    @get("/api/v2/tickets/{ticket_id:str}", include_in_schema=False)
    async def one_ticket(request: AnyRequest, ticket_id: FromPath[str]) -> Response[bytes]:
        authorized(sandbox, profile, request, *READ)
        return one_ticket_reply(sandbox, _number(ticket_id), api_base(request)).to_response()

    @get("/api/v2/tickets/{ticket_id:str}/audits/{audit_id:str}", include_in_schema=False)
    async def one_audit(
        request: AnyRequest, ticket_id: FromPath[str], audit_id: FromPath[str]
    ) -> Response[bytes]:
        authorized(sandbox, profile, request, *READ)
        return one_audit_reply(sandbox, _number(ticket_id), _number(audit_id)).to_response()

    @get("/api/v2/users/{user_id:str}", include_in_schema=False)
    async def one_user(request: AnyRequest, user_id: FromPath[str]) -> Response[bytes]:
        authorized(sandbox, profile, request, "read", "users:read")
        return one_user_reply(sandbox, _number(user_id), api_base(request)).to_response()

    @get("/api/v2/organizations/{organization_id:str}", include_in_schema=False)
    async def one_organization(
        request: AnyRequest, organization_id: FromPath[str]
    ) -> Response[bytes]:
        authorized(sandbox, profile, request, "read", "organizations:read")
        return one_organization_reply(
            sandbox, _number(organization_id), api_base(request)
        ).to_response()

    return [one_ticket, one_audit, one_user, one_organization]
