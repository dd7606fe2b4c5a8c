"""Gmail API v1 under the metadata scope: profile, messages.list/get, history.list, labels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from litestar import Response, Router, get
from litestar.params import FromPath

from adapters.sandbox.bearer import authorized
from adapters.sandbox.context import AnyRequest, profile_of, sandbox_of
from adapters.sandbox.oauth.model import Family
from adapters.sandbox.providers.google.mailbox import HIDDEN, Mailbox, mailbox
from adapters.sandbox.providers.google.profile import (
    GMAIL_METADATA,
    GMAIL_READONLY,
    google_error,
)
from adapters.sandbox.reply import ProviderError, Reply
from adapters.sandbox.sandbox import Sandbox
from adapters.sandbox.seed.model import Email, Person

# History ids jump by this much each time the control API expires Google's cursors, so every
# id handed out before is older than any id handed out after (and gets 404).
EPOCH_STRIDE = 100_000_000
SYSTEM_LABELS = ("INBOX", "SENT", "UNREAD", "IMPORTANT", "TRASH", "SPAM", "CATEGORY_PERSONAL")


def _not_found() -> ProviderError:
    return ProviderError(
        google_error(404, "Requested entity was not found.", "notFound", "NOT_FOUND")
    )


def _forbidden(message: str) -> ProviderError:
    return ProviderError(google_error(403, message, "forbidden", "PERMISSION_DENIED"))


def _invalid(message: str) -> ProviderError:
    return ProviderError(google_error(400, message, "invalidArgument", "INVALID_ARGUMENT"))


def _page_size(request: AnyRequest, default: int = 100) -> int:
    raw = request.query_params.get("maxResults")
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 500:
        raise _invalid("Invalid maxResults")
    return int(raw)


@dataclass(frozen=True)
class _Mailbox:
    """One request's view: the sandbox, the token's family and the signed-in person's box."""

    sandbox: Sandbox
    family: Family
    box: Mailbox
    person: Person


def _open(request: AnyRequest, user_id: str) -> _Mailbox:
    sandbox = sandbox_of(request)
    profile = profile_of(request, "google")
    family = authorized(sandbox, profile, request, GMAIL_METADATA, GMAIL_READONLY)
    if user_id not in ("me", family.subject):
        raise _forbidden("Delegation denied for " + family.subject)
    person = sandbox.dataset.person(family.subject)
    assert person is not None  # noqa: S101 - subjects are seeded people
    seeded = mailbox(sandbox.dataset, person.key)
    box = seeded.with_deletions(sandbox.mutations, sandbox.clock.now())
    return _Mailbox(sandbox, family, box, person)


def _open_as(request: AnyRequest, user_id: str) -> tuple[_Mailbox, str]:
    """The mailbox and the format asked for; only minimal and metadata under the metadata scope."""
    view = _open(request, user_id)
    message_format = request.query_params.get("format", "full").lower()
    if message_format not in ("minimal", "metadata") and GMAIL_READONLY not in view.family.scopes:
        raise _forbidden(f"Metadata scope doesn't allow format {message_format.upper()}")
    return view, message_format


@get("/users/{user_id:str}/profile")
async def gmail_profile(request: AnyRequest, user_id: FromPath[str]) -> Response[bytes]:
    view = _open(request, user_id)
    now = view.sandbox.clock.now()
    visible = view.box.visible(now)
    body = {
        "emailAddress": view.person.email,
        "messagesTotal": len(visible),
        "threadsTotal": len({view.box.threads[m] for m in visible}),
        "historyId": str(view.box.history_id(now) + _shift(view.sandbox)),
    }
    return Reply(status=200, body=body).to_response()


@get("/users/{user_id:str}/labels")
async def labels(request: AnyRequest, user_id: FromPath[str]) -> Response[bytes]:
    _open(request, user_id)
    items = [{"id": name, "name": name, "type": "system"} for name in SYSTEM_LABELS]
    return Reply(status=200, body={"labels": items}).to_response()


@get("/users/{user_id:str}/messages")
async def list_messages(request: AnyRequest, user_id: FromPath[str]) -> Response[bytes]:
    view = _open(request, user_id)
    if "q" in request.query_params and GMAIL_READONLY not in view.family.scopes:
        raise _forbidden("Metadata scope does not support 'q' parameter")
    if "q" in request.query_params:
        raise _invalid("The sandbox does not emulate Gmail search (q)")
    ids, offset = _message_ids(view, request)
    size = _page_size(request)
    chunk = ids[offset : offset + size]
    body: dict[str, Any] = {}
    if chunk:
        body["messages"] = [{"id": m, "threadId": view.box.threads[m]} for m in chunk]
    if offset + size < len(ids):
        handle = view.sandbox.cursors.issue("google", "gmail-page", (ids, offset + size))
        body["nextPageToken"] = handle
    body["resultSizeEstimate"] = len(ids)
    return Reply(status=200, body=body).to_response()


def _message_ids(view: _Mailbox, request: AnyRequest) -> tuple[list[str], int]:
    token = request.query_params.get("pageToken")
    if token:
        status, payload = view.sandbox.cursors.resolve("google", "gmail-page", token)
        if status != "ok":
            raise _invalid("Invalid pageToken")
        return payload  # type: ignore[no-any-return]
    now = view.sandbox.clock.now()
    wanted = set(request.query_params.getall("labelIds", []))
    # Trash and spam are left out unless asked for (includeSpamTrash, or by label).
    trash = request.query_params.get("includeSpamTrash") == "true" or bool(wanted & set(HIDDEN))
    listed = view.box.visible(now, include_trash=trash)
    return [m for m in listed if wanted <= set(view.box.labels(m, now))], 0


@get("/users/{user_id:str}/messages/{message_id:str}")
async def get_message(
    request: AnyRequest, user_id: FromPath[str], message_id: FromPath[str]
) -> Response[bytes]:
    view, message_format = _open_as(request, user_id)
    now = view.sandbox.clock.now()
    if not view.box.present(message_id, now):
        raise _not_found()  # deleted for good (a trashed message is still there)
    wanted = [h.lower() for h in request.query_params.getall("metadataHeaders", [])]
    body = _message(view.sandbox, view.box, message_id, fmt=message_format, wanted=wanted, now=now)
    return Reply(status=200, body=body).to_response()


@get("/users/{user_id:str}/threads/{thread_id:str}")
async def get_thread(
    request: AnyRequest, user_id: FromPath[str], thread_id: FromPath[str]
) -> Response[bytes]:
    view, message_format = _open_as(request, user_id)
    now = view.sandbox.clock.now()
    ids = [m for m, t in view.box.threads.items() if t == thread_id and view.box.present(m, now)]
    if not ids:
        raise _not_found()
    wanted = [h.lower() for h in request.query_params.getall("metadataHeaders", [])]
    found = [
        _message(view.sandbox, view.box, m, fmt=message_format, wanted=wanted, now=now)
        for m in sorted(ids, key=lambda m: view.box.emails[m].sent)
    ]
    body = {"id": thread_id, "historyId": found[-1]["historyId"], "messages": found}
    return Reply(status=200, body=body).to_response()


@get("/users/{user_id:str}/history")
async def history(request: AnyRequest, user_id: FromPath[str]) -> Response[bytes]:
    view = _open(request, user_id)
    return _history(view.sandbox, view.box, request).to_response()


def gmail_router() -> Router:
    handlers = [gmail_profile, labels, list_messages, get_message, get_thread, history]
    return Router(path="/gmail/v1", route_handlers=handlers, include_in_schema=False)


def _message(
    sandbox: Sandbox, box: Mailbox, message: str, *, fmt: str, wanted: list[str], now: datetime
) -> dict[str, Any]:
    email = box.emails[message]
    body: dict[str, Any] = {
        "id": message,
        "threadId": box.threads[message],
        "labelIds": list(box.labels(message, now)),
        "snippet": email.snippet,
        "historyId": str(box.message_history_id(message, now) + _shift(sandbox)),
        "internalDate": str(int(email.sent.timestamp() * 1000)),
        "sizeEstimate": 2048 + 3 * len(email.snippet),
    }
    if fmt == "minimal":
        del body["snippet"]
        return body
    headers = _headers(sandbox, email, message)
    if wanted:
        headers = [h for h in headers if h["name"].lower() in wanted]
    body["payload"] = {
        "partId": "",
        "mimeType": "multipart/alternative",
        "filename": "",
        "headers": headers,
    }
    return body


def _headers(sandbox: Sandbox, email: Email, message: str) -> list[dict[str, str]]:
    people = sandbox.dataset.people

    def address(key: int) -> str:
        return f"{people[key].name} <{people[key].email}>"

    headers = [
        {"name": "From", "value": address(email.sender)},
        {"name": "To", "value": ", ".join(address(k) for k in email.to)},
    ]
    if email.cc:
        headers.append({"name": "Cc", "value": ", ".join(address(k) for k in email.cc)})
    headers += [
        {"name": "Subject", "value": email.subject},
        {"name": "Date", "value": format_datetime(email.sent)},
        {
            "name": "Message-ID",
            "value": f"<{email.key}.{email.thread}@mail.{sandbox.dataset.domain}>",
        },
    ]
    return headers


def _history(sandbox: Sandbox, box: Mailbox, request: AnyRequest) -> Reply:
    now = sandbox.clock.now()
    start_raw = request.query_params.get("startHistoryId", "")
    if not start_raw.isdigit():
        raise _invalid("Invalid startHistoryId")
    start, size = int(start_raw) - _shift(sandbox), _page_size(request)
    if start < box.oldest_valid(now):
        raise _not_found()  # too old (or from before an expiry): the client must resync
    types = set(request.query_params.getall("historyTypes", [])) or {
        "messageAdded",
        "messageDeleted",
        "labelAdded",
        "labelRemoved",
    }
    token = request.query_params.get("pageToken")
    # A page token holds the id of the last record handed out, not an offset: a deletion made
    # between two pages (an overlay record) then neither repeats nor skips one.
    position, current = start, box.history_id(now)
    if token:
        status, payload = sandbox.cursors.resolve("google", "gmail-history", token)
        if status != "ok":
            raise _invalid("Invalid pageToken")
        position, current = payload
    chunk, following = box.page(position, current, types, size)
    body: dict[str, Any] = {}
    if chunk:
        body["history"] = [_record(box, e, now, _shift(sandbox)) for e in chunk]
    if following is not None:
        body["nextPageToken"] = sandbox.cursors.issue(
            "google", "gmail-history", (following, current)
        )
    body["historyId"] = str(current + _shift(sandbox))
    return Reply(status=200, body=body)


def _shift(sandbox: Sandbox) -> int:
    return sandbox.cursors.epoch("google") * EPOCH_STRIDE


def _record(box: Mailbox, event: Any, now: datetime, shift: int) -> dict[str, Any]:
    ref = {"id": event.message, "threadId": box.threads[event.message]}
    record: dict[str, Any] = {"id": str(event.id + shift), "messages": [ref]}
    if event.kind == "messageAdded":
        record["messagesAdded"] = [
            {"message": {**ref, "labelIds": list(box.labels(event.message, event.at))}}
        ]
    elif event.kind == "messageDeleted":
        record["messagesDeleted"] = [{"message": ref}]
    elif event.kind == "labelAdded":
        record["labelsAdded"] = [
            {
                "message": {**ref, "labelIds": list(box.labels(event.message, now))},
                "labelIds": list(event.labels),
            }
        ]
    else:
        record["labelsRemoved"] = [
            {
                "message": {**ref, "labelIds": list(box.labels(event.message, now))},
                "labelIds": list(event.labels),
            }
        ]
    return record
