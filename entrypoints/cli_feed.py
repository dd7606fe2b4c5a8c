"""``atlas feed``: print a member's realtime events as they happen (for operators and demos)."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import ssl
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import click
import httpx
import msgspec

from domain.shared.secret import Secret
from entrypoints.api_session import ApiSession
from entrypoints.cli_common import load, terminated_as_exit
from entrypoints.feed_client import FeedClient, FeedStopped, TryAgain, feed_url
from entrypoints.settings import Settings

PASSWORD_VARIABLE = "ATLAS_FEED_PASSWORD"  # noqa: S105 - the variable's name, not a password

_encode = msgspec.json.Encoder().encode


@click.command()
@click.option(
    "--url", default=None, help="Where Atlas runs (default: https://ATLAS_HOST:ATLAS_PORT)."
)
@click.option("--email", required=True, help="The member to sign in as.")
@click.option("--tenant", type=click.UUID, default=None, help="Which of their tenants.")
@click.option(
    "--after",
    type=click.IntRange(min=0),
    default=None,
    help="First replay every event after this seq (default: new events only).",
)
@click.option(
    "--ca-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Trust this CA (default: the development CA under ATLAS_DATA_DIR).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per message.")
def feed(  # noqa: PLR0917 - one parameter per command-line option
    url: str | None,
    email: str,
    tenant: UUID | None,
    after: int | None,
    ca_file: Path | None,
    as_json: bool,
) -> None:
    """Follow a member's feed until Ctrl-C. The password comes from ATLAS_FEED_PASSWORD or a
    prompt, never from a flag (flags are visible to every user of the machine)."""
    password = os.environ.get(PASSWORD_VARIABLE)
    # Settings refuse unknown ATLAS_* variables, and this one is the command's, not Atlas's.
    settings = load({k: v for k, v in os.environ.items() if k != PASSWORD_VARIABLE})
    base = (url or f"https://{settings.host}:{settings.port}").rstrip("/")
    _refuse_cleartext(base)
    tls = _tls(settings, ca_file) if base.startswith("https:") else None
    if password is None:
        password = click.prompt("Password", hide_input=True)
    # One line per request otherwise; none carries a token, but the feed is what is asked for.
    for name in ("httpx", "websockets"):
        logging.getLogger(name).setLevel(logging.WARNING)
    printer = _Printer(as_json)
    following = _follow(
        base=base, tls=tls, email=email, password=Secret(password), tenant=tenant,
        after=after, printer=printer,
    )  # fmt: skip
    try:
        with terminated_as_exit():  # SIGTERM too says where to resume
            asyncio.run(following)
    except KeyboardInterrupt:
        printer.stopped()
    except SystemExit:
        printer.stopped()
        raise
    except FeedStopped as stopped:
        raise click.ClickException(str(stopped)) from None


async def _follow(
    *,
    base: str,
    tls: ssl.SSLContext | None,
    email: str,
    password: Secret[str],
    tenant: UUID | None,
    after: int | None,
    printer: _Printer,
) -> None:
    async with httpx.AsyncClient(base_url=base, verify=tls or True, timeout=30) as http:
        session = ApiSession(http)
        try:
            await session.sign_in(email, password, tenant)
        except TryAgain as failure:
            raise FeedStopped(f"cannot reach Atlas at {base} ({failure})") from None
        printer.notice(f"signed in to tenant {session.tenant_id}")
        client = FeedClient(
            feed_url(base), session, on_message=printer.message, on_notice=printer.notice,
            after=after, tls=tls,
        )  # fmt: skip
        printer.client = client
        await client.run()


def _refuse_cleartext(base: str) -> None:
    """The password and the tokens would cross the network in clear over http://, so it is
    for this machine only (a server started with --no-tls for development or tests)."""
    parts = urlsplit(base)
    if parts.scheme == "https":
        return
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme != "http" or not loopback:
        raise click.ClickException(f"{base}: use https:// (http:// only to this machine)")


def _tls(settings: Settings, ca_file: Path | None) -> ssl.SSLContext:
    if ca_file is not None:
        if not ca_file.is_file():
            raise click.ClickException(f"--ca-file {ca_file} does not exist")
        return ssl.create_default_context(cafile=str(ca_file))
    development = settings.data_dir / "tls" / "ca.pem"  # what `atlas up` creates
    if development.is_file():
        return ssl.create_default_context(cafile=str(development))
    return ssl.create_default_context()


class _Printer:
    """Events to stdout (a line each, readable or JSON); everything else to stderr."""

    def __init__(self, as_json: bool) -> None:
        self._as_json = as_json
        self.client: FeedClient | None = None

    def message(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if self._as_json:
            click.echo(_encode(message).decode())
        elif kind == "event":
            click.echo(readable(message))
        elif kind == "ready":
            self.notice(f"following the feed (newest event: #{message['seq']})")

    def notice(self, text: str) -> None:
        click.echo(click.style(text, dim=True), err=True)

    def stopped(self) -> None:
        last = self.client.last_seq if self.client is not None else None
        self.notice("stopped" + (f"; resume with --after {last}" if last is not None else ""))


def readable(message: dict[str, Any]) -> str:
    """``#42 12:00:01 sync.progress gmail messages 120 fetched``, in local time."""
    try:
        at = datetime.fromisoformat(message["at"]).astimezone().strftime("%H:%M:%S")
    except (KeyError, TypeError, ValueError):
        at = str(message.get("at"))
    kind, data = message["kind"], message.get("data") or {}
    try:
        summary = _SUMMARIES[kind](data) if kind in _SUMMARIES else _fields(data)
    except (KeyError, TypeError):  # a shape this client does not know yet
        summary = _fields(data)
    return f"#{message['seq']} {at} {kind} {summary}".rstrip()


def _fields(data: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in data.items() if not isinstance(v, dict | list))


def _sync(data: dict[str, Any]) -> str:
    page, totals = data.get("page"), data.get("totals")
    if page:
        return f"{data['provider']} {data['stream']} {page['fetched']} fetched {page['new']} new"
    if totals:
        ended = f"{totals['fetched']} fetched {totals['new']} new"
        return f"{data['provider']} {ended}" + (f" error={data['error']}" if data["error"] else "")
    if data.get("reason"):
        return f"{data['provider']} waiting ({data['reason']}) until {data['resume_at']}"
    return f"{data['provider']} {data['status']} ({data['trigger']})"


def _graph(data: dict[str, Any]) -> str:
    types = data["object_types"]
    return f"revision {data['revision']} " + (", ".join(types) if types else "all types")


_SUMMARIES: dict[str, Callable[[dict[str, Any]], str]] = {
    "sync.started": _sync,
    "sync.progress": _sync,
    "sync.finished": _sync,
    "sync.failed": _sync,
    "connection.status": lambda d: (
        f"{d['provider']} {d['status']}" + (f" error={d['error']}" if d.get("error") else "")
    ),
    "graph.changed": _graph,
    "import.progress": lambda d: f"{d['events']} events, {d['bytes_read']}/{d['total_bytes']} B",
    "import.finished": lambda d: f"{d['state']} {d.get('events', '')} {d.get('code') or ''}",
    "member.changed": lambda d: f"{d['user_id']} {d['change']} {d['role'] or ''}",
    "security.alert": lambda d: f"{d['alert']} user {d['user_id']} from {d.get('address')}",
}
