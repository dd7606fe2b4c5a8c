"""One tenant's few minutes under load: sign up, sign in, verify the email (from the development
outbox), connect the sandbox's HubSpot through its consent page, sync, import a small XES log,
read maps and entities, sync again.

Everything the tenant names carries its marker (organisation, email, cases, activities,
resources), so an answer holding another tenant's marker is a leak, whatever endpoint gave it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from bench.load_client import LoadFailure, TenantClient
from entrypoints.demo import verification_token
from tests.e2e.connect_flow import consent

PASSWORD = "load bench passphrase"  # noqa: S105 - throwaway accounts in a throwaway database
PROVIDER = "hubspot"
COOKIE = "__Host-atlas_oauth"
FINISHED = {"succeeded", "failed", "cancelled"}
SYNC_WITHIN = 240.0  # seconds a sync run may take before the tenant gives up on it


@dataclass
class Outcome:
    index: int
    marker: str
    finished: bool = False
    failure: str = ""
    runs: list[str] = field(default_factory=list)  # each sync run's final status


def xes_log(marker: str, traces: int = 6, steps: int = 5) -> bytes:
    """A small XES log whose every name carries ``marker``."""
    start = datetime(2024, 3, 1, 9, tzinfo=UTC)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<log xes.version="1.0" xmlns="http://www.xes-standard.org/">']  # fmt: skip
    for case in range(traces):
        lines.append(f'<trace><string key="concept:name" value="{marker}-case-{case}"/>')
        for step in range(steps - case % 2):  # two shapes of trace: two variants
            at = (start + timedelta(days=case, hours=step * (1 + case))).isoformat()
            lines.append(
                f'<event><string key="concept:name" value="{marker} step {step}"/>'
                f'<date key="time:timestamp" value="{at}"/>'
                f'<string key="org:resource" value="{marker}-clerk-{step % 2}"/></event>'
            )
        lines.append("</trace>")
    lines.append("</log>")
    return "\n".join(lines).encode()


def _path(url: str) -> str:
    """The path and query of an absolute link (the public URL is not where the APIs listen)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


class TenantScript:
    def __init__(self, tc: TenantClient, marker: str, name: str, sandbox: httpx.AsyncClient,
                 rounds: int) -> None:  # fmt: skip
        self.tc, self.marker, self.name = tc, marker, name
        self.sandbox, self.rounds = sandbox, rounds
        self.outcome = Outcome(tc.index, marker)

    async def run(self, deadline: float) -> Outcome:
        try:
            await asyncio.wait_for(self._steps(), timeout=max(1.0, deadline - time.monotonic()))
            self.outcome.finished = True
        except (LoadFailure, AssertionError) as error:
            self.outcome.failure = str(error)[:300]
        except TimeoutError:
            self.outcome.failure = "out of time"
        return self.outcome

    async def _steps(self) -> None:
        await self._sign_up_and_in()
        connection = await self._connect()
        await self._sync(connection)
        await self._import()
        for _ in range(self.rounds):
            await self._read()
        await self._sync(connection)
        await self._read()

    async def _sign_up_and_in(self) -> None:
        email = f"{self.marker}@load.example"
        body = {"email": email, "password": PASSWORD, "name": f"Owner {self.marker}",
                "organisation": self.name}  # fmt: skip
        await self.tc.call("POST", "POST /auth/signup", "/api/v1/auth/signup", json=body,
                           headers={}, expect=(201,))  # fmt: skip
        login = {"email": email, "password": PASSWORD}
        answer = await self.tc.call("POST", "POST /auth/login", "/api/v1/auth/login",
                                    json=login, headers={})  # fmt: skip
        self.tc.headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        await self._verify_email(answer.json()["user_id"])

    async def _verify_email(self, user_id: str) -> None:
        """Connecting needs a verified address: the link from the development outbox."""
        me = await self.tc.call("GET", "GET /me", "/api/v1/me")
        outbox = Path(me.json()["email_outbox"])
        token = await asyncio.to_thread(verification_token, outbox, user_id)
        if token is None:
            raise LoadFailure(f"no verification email in {outbox}")
        await self.tc.call("POST", "POST /auth/verify-email", "/api/v1/auth/verify-email",
                           json={"token": token}, headers={}, expect=(204,))  # fmt: skip

    async def _connect(self) -> str:
        started = await self.tc.call("POST", "POST /connections", "/api/v1/connections",
                                     json={"provider": PROVIDER}, expect=(201,))  # fmt: skip
        ticket = {"ticket": started.json()["start_ticket"]}
        opened = await self.tc.call("POST", "POST /oauth/start", "/api/v1/oauth/start",
                                    json=ticket, expect=(200,))  # fmt: skip
        cookie = opened.headers.get("set-cookie", "").split(";")[0].split("=", 1)[-1]
        decided = await consent(self.sandbox, opened.json()["provider_url"])  # type: ignore[arg-type]
        assert decided.status_code == 302, f"consent: {decided.status_code} {decided.text[:200]}"
        back = await self.tc.call(
            "GET", "GET /oauth/callback/{provider}", _path(decided.headers["location"]),
            headers={"Cookie": f"{COOKIE}={cookie}"}, expect=(303,), follow_redirects=False,
        )  # fmt: skip
        outcome = dict(parse_qsl(urlsplit(back.headers.get("location", "")).query))
        assert outcome.get("outcome") == "connected", f"connect: {outcome}"
        connection = outcome["connection"]
        await self.tc.call("PATCH", "PATCH /connections/{id}", f"/api/v1/connections/{connection}",
                           json={"backfill_days": 730})  # fmt: skip
        return connection

    async def _sync(self, connection: str) -> None:
        """Sync now and wait for the run; a run that did not succeed is asked for again
        (as the member would press the button again), at most three times in all."""
        for _ in range(3):
            url = f"/api/v1/connections/{connection}/sync"
            run = await self.tc.call("POST", "POST /connections/{id}/sync", url, expect=(202,))
            status = await self._finished(run.json()["id"])
            self.outcome.runs.append(status)
            if status == "succeeded":
                return
        raise LoadFailure(f"sync never succeeded: {self.outcome.runs}")

    async def _finished(self, run_id: str) -> str:
        deadline = time.monotonic() + SYNC_WITHIN
        while time.monotonic() < deadline:
            answer = await self.tc.call("GET", "GET /sync-runs/{id}", f"/api/v1/sync-runs/{run_id}")
            if (status := answer.json()["status"]) in FINISHED:
                return str(status)
            await asyncio.sleep(1.0)
        return "still running"

    async def _import(self) -> None:
        answer = await self.tc.call(
            "POST", "POST /graph/imports", "/api/v1/graph/imports", content=xes_log(self.marker),
            params={"object_type": "case"}, expect=(201, 202),
            headers=self.tc.headers | {"X-File-Name": f"{self.marker}.xes"},
        )  # fmt: skip
        if answer.status_code == 202:  # imports on the job queue: wait for this one
            await self._imported(answer.json())

    async def _imported(self, accepted: dict[str, Any]) -> None:
        url = f"/api/v1/graph/imports/{accepted.get('import_id') or accepted.get('id')}"
        for _ in range(120):  # the job queue's import (queued, running, succeeded, failed)
            answer = (await self.tc.call("GET", "GET /graph/imports/{id}", url)).json()
            state = answer.get("state") or answer.get("status")
            if state == "succeeded":
                return
            if state == "failed":
                raise LoadFailure(f"import failed: {answer.get('code')}")
            await asyncio.sleep(1.0)
        raise LoadFailure("import not finished within 120 s")

    async def _read(self) -> None:
        call, graph = self.tc.call, "/api/v1/graph"
        types = (await call("GET", "GET /graph/process-map/object-types",
                            f"{graph}/process-map/object-types")).json()  # fmt: skip
        names = [t["type"] for t in types["object_types"] if t["type"] != "case"]
        for object_type in ["case", *names[:1]]:  # the imported log's, and the busiest synced
            found = await call("GET", "GET /graph/process-map", f"{graph}/process-map",
                               params={"object_type": object_type})  # fmt: skip
            if object_type == "case":
                assert self.marker in found.text, "the imported log is not in the tenant's map"
        case = {"object_type": "case"}
        await call("GET", "GET /graph/variants", f"{graph}/variants", params=case)
        entities = (await call("GET", "GET /graph/entities", f"{graph}/entities",
                               params={"limit": 50})).json()  # fmt: skip
        ids = [e["id"] for e in entities["entities"]]
        self.tc.own(ids)
        for entity in ids[:2]:
            await call("GET", "GET /graph/entities/{id}", f"{graph}/entities/{entity}")
        activities = (await call("GET", "GET /graph/activities", f"{graph}/activities",
                                 params={"limit": 50})).json()  # fmt: skip
        self.tc.own([a["id"] for a in activities["activities"]])
        await call("GET", "GET /connections", "/api/v1/connections")
