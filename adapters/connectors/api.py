"""One connection's calls to its provider's API: bearer token, a total deadline, retries.

Every call has a deadline over the whole exchange (connect, send, wait, read the body), not
only httpx's per-phase timeouts. 429s, 5xx and timeouts are retried with providers.md rule 7's
backoff (``Retry-After`` honoured); a wait above 15 minutes, or spent attempts on a throttle,
releases the job instead of holding a worker (``SourceThrottled``). A 401 renews the token once
through ``ConnectionTokens`` and replays the call; a second 401 means the grant is gone.
Nothing of a response body, and no token, ever reaches an exception or a log: only codes.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
from collections.abc import Awaitable, Callable, Collection, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar

import httpx
import msgspec

from application.integrations.connection_tokens import AccessGrant
from application.shared.metrics import Metrics, NoMetrics
from application.shared.ports import Clock
from application.sync.ports import AccessSource
from domain.integrations.retry import next_attempt, retry_after_seconds
from domain.shared.secret import Secret
from domain.sync.errors import GrantRejected, SourceRefused, SourceThrottled, SourceUnavailable

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]

DEFAULT_DEADLINE_SECONDS = 30.0
REUSE_MARGIN = timedelta(minutes=6)  # past ConnectionTokens' own 5-minute refresh margin


class Verdict(msgspec.Struct, frozen=True, kw_only=True):
    """What an answer means: retry it, renew the token, give up on the grant, or refuse."""

    kind: Literal["ok", "retry", "throttled", "renew", "rejected", "refused"]
    reason: str = ""
    retry_after: float | None = None  # seconds


OK = Verdict(kind="ok")
# A provider's own reading of an answer (Slack's ok:false in a 200, Google's rate-limit 403s,
# Salesforce's REQUEST_LIMIT_EXCEEDED); None falls back to the HTTP status.
Classifier = Callable[["ApiResponse", datetime], Verdict | None]


class ApiResponse(msgspec.Struct, frozen=True, kw_only=True):
    status: int
    headers: Mapping[str, str]
    content: bytes

    def decode(self, kind: type[T]) -> T:
        """The body as ``kind``: a struct that declares only the fields a connector keeps, so
        content fields are never even decoded."""
        try:
            return msgspec.json.decode(self.content, type=kind)
        except (msgspec.ValidationError, msgspec.DecodeError):
            raise SourceRefused("unreadable_response") from None

    def json(self) -> Any:
        try:
            return msgspec.json.decode(self.content) if self.content else None
        except msgspec.DecodeError:
            return None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def by_status(response: ApiResponse, now: datetime) -> Verdict:
    status = response.status
    if 200 <= status < 300:
        return OK
    wait = retry_after_seconds(response.header("retry-after"), now)
    if status == 429:
        return Verdict(kind="throttled", reason="http_429", retry_after=wait)
    if status >= 500 or status == 408:
        return Verdict(kind="retry", reason=f"http_{status}", retry_after=wait)
    if status == 401:
        return Verdict(kind="renew", reason="http_401")
    return Verdict(kind="refused", reason=f"http_{status}")


class ProviderApi:
    def __init__(
        self,
        http: httpx.AsyncClient,
        access: AccessSource,
        clock: Clock,
        *,
        classify: Classifier | None = None,
        deadline_seconds: float = DEFAULT_DEADLINE_SECONDS,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        provider: str = "",
        metrics: Metrics | None = None,
    ) -> None:
        self._http, self._access, self._clock = http, access, clock
        self._provider, self._metrics = provider, metrics or NoMetrics()
        self._classify, self._deadline = classify, deadline_seconds
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self._provider_now: datetime | None = None
        self._grant: AccessGrant | None = None

    async def base(self) -> str:
        """Where this connection's API calls go (Salesforce: its instance_url)."""
        return (await self._token()).api_base

    async def _token(self, rejected: Secret[str] | None = None) -> AccessGrant:
        """The grant, asked for again only when it nears its expiry or was refused: a sync
        makes thousands of calls, and each ask is a database read and a vault open."""
        grant = self._grant
        fresh = grant is not None and (
            grant.expires_at is None or grant.expires_at - self._clock.now() > REUSE_MARGIN
        )
        if rejected is not None or not fresh:
            self._grant = grant = await self._access.token(rejected=rejected)
        assert grant is not None  # noqa: S101 - set above
        return grant

    def provider_now(self) -> datetime:
        """The provider's clock, from its last ``Date`` header (ours until one came)."""
        return self._provider_now or self._clock.now()

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        expect: Collection[int] = (),
    ) -> ApiResponse:
        return await self.call("GET", url, params=params, headers=headers, expect=expect)

    async def post(
        self,
        url: str,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        expect: Collection[int] = (),
    ) -> ApiResponse:
        return await self.call("POST", url, json=json, headers=headers, expect=expect)

    async def call(
        self,
        method: str,
        url: str,
        *,
        params: Any = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        expect: Collection[int] = (),
    ) -> ApiResponse:
        """The answer; statuses in ``expect`` come back to the caller (Gmail's 404 on a stale
        history id, Calendar's 410) instead of being read as failures."""
        grant, renewed, failures = await self._token(), False, 0
        while True:
            token = grant.access_token.reveal()
            response, verdict = await self._once(
                method, url, token, params=params, json=json, headers=headers
            )
            if response is not None and response.status in expect:
                return response
            if verdict.kind == "ok":
                return response  # type: ignore[return-value]
            if verdict.kind == "renew" and not renewed:
                grant, renewed = await self._token(rejected=grant.access_token), True
                continue
            if verdict.kind in ("renew", "rejected"):
                raise GrantRejected(verdict.reason or "rejected")
            if verdict.kind == "refused":
                raise SourceRefused(verdict.reason)
            failures += 1
            await self._back_off(verdict, failures)

    async def _once(
        self, method: str, url: str, token: str, **kwargs: Any
    ) -> tuple[ApiResponse | None, Verdict]:
        headers = {**(kwargs.pop("headers") or {}), "Authorization": f"Bearer {token}"}
        try:
            async with asyncio.timeout(self._deadline):
                raw = await self._http.request(method, url, headers=headers, **kwargs)
                content = raw.content  # read inside the deadline
        except (TimeoutError, httpx.TimeoutException):
            self._metrics.provider_answered(self._provider, "timeout")
            return None, Verdict(kind="retry", reason="timeout")
        except httpx.HTTPError:
            self._metrics.provider_answered(self._provider, "network")
            return None, Verdict(kind="retry", reason="network")
        self._metrics.provider_answered(self._provider, str(raw.status_code))
        response = ApiResponse(
            status=raw.status_code,
            headers={k.lower(): v for k, v in raw.headers.items()},
            content=content,
        )
        self._note_date(response)
        now = self._clock.now()
        verdict = self._classify(response, now) if self._classify is not None else None
        return response, verdict or by_status(response, now)

    async def _back_off(self, verdict: Verdict, failures: int) -> None:
        decision = next_attempt(failures, verdict.retry_after, self._rng)
        throttled = verdict.kind == "throttled"
        if not decision.retry:
            if throttled:
                raise SourceThrottled(verdict.reason, retry_after=verdict.retry_after or 60.0)
            raise SourceUnavailable(verdict.reason, retry_after=verdict.retry_after)
        if decision.reschedule:
            raise SourceThrottled(verdict.reason, retry_after=decision.wait_seconds)
        self._metrics.provider_waited(self._provider, decision.wait_seconds)
        await self._sleep(decision.wait_seconds)

    def _note_date(self, response: ApiResponse) -> None:
        value = response.header("date")
        if not value:
            return
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return
        self._provider_now = when if when.tzinfo else when.replace(tzinfo=UTC)
