"""The realtime feed under load (issue 11): 1,000 WebSocket subscribers over two API processes,
100 events a second committed, every delivery timed and checked.

A throwaway PostgreSQL, migrated; two ``atlas serve --no-tls`` processes on it (each with its
LISTEN connection and hub); 100 tenants of 10 members (an owner, an admin, 8 members), each
member one socket, a tenant's sockets alternating between the two processes, so every event
is fanned out by both. For 3 + 25 s the bench commits 100 events a second through the real
outbox (80% for every member, 10% for owners and admins, 10% private to one member) and each
socket records when each event arrived. Latency runs from just before the commit (the time is
in the event) to receipt, per (event, subscriber), so it includes the commit; it is also given
from the commit's return. The first 3 s are reported apart: each API process then prepares its
statements on each pooled connection. The bench's own garbage collector is paused while it
measures (its pauses would count as latency); the servers' is not. Lost, duplicated,
out-of-order and unexpected deliveries are counted against what was committed, as each member
may see it (and the outbox's heads must add up to the events committed). Memory per idle
connection: the two servers' RSS growth from 100 open sockets (by then the feed's lazy imports
are loaded and each database pool is full) to all 1,000, divided by the 900 sockets added.

The machine is shared: the CPU the whole machine used while writing is printed beside ours.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import msgspec
import uvloop
from websockets.asyncio.client import ClientConnection, connect

from adapters.postgres.engine import create_engine, session_factory
from adapters.postgres.feed import PostgresTenantFeed
from adapters.postgres.throwaway import start_throwaway_database
from bench.cpu import CpuMeter
from bench.feed_load import Member, Writer, seed
from bench.stats import line, percentile
from entrypoints.settings import load_settings
from tests.factories.api_process import ServedApi
from tests.factories.sync_fleet import atlas_env

TENANTS = 100
PER_TENANT = 10
RATE = 100  # events committed per second
WARM_SECONDS = 3  # first events, before the measured ones: every reader's statements prepared
SECONDS = 25
OPENING_AT_ONCE = 50  # sockets being opened concurrently
WARM_SOCKETS = 100  # sockets opened before memory per connection is counted
DRAIN_SECONDS = 15  # how long to wait for the last deliveries after the last commit

_decode = msgspec.json.Decoder(dict[str, Any]).decode


class Subscriber:
    """One member's socket: what arrived (seq, n, sent, received) and how it ended."""

    def __init__(self, member: Member, url: str) -> None:
        self.member, self.url = member, url
        self.received: list[tuple[int, int, float, float]] = []
        self.closed: int | None = None
        self._socket: ClientConnection | None = None

    async def open(self) -> None:
        # No client pings: the server's heartbeat (every 20 s) is the protocol's.
        self._socket = await connect(self.url, compression=None, ping_interval=None)
        auth = {"type": "auth", "access_token": self.member.token.reveal(), "after": None}
        await self._socket.send(msgspec.json.encode(auth).decode())
        ready = _decode(await self._socket.recv())
        assert ready == {"type": "ready", "seq": 0}, ready

    async def listen(self) -> None:
        assert self._socket is not None
        async for raw in self._socket:
            received = time.time()
            message = _decode(raw)
            if message["type"] == "event":
                data = message["data"]
                self.received.append((message["seq"], data["n"], data["sent"], received))
        self.closed = self._socket.close_code

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()


async def run() -> dict[str, float]:
    # The client side (1,000 sockets, the writer) on uvloop, in a thread of its own since
    # ``bench`` runs every benchmark on asyncio's loop: on two shared cores, the CPU the
    # client saves is CPU the two API processes and PostgreSQL can use.
    return await asyncio.to_thread(uvloop.run, _run())


async def _run() -> dict[str, float]:
    print(f"Realtime feed: {TENANTS * PER_TENANT:,} subscribers over two API processes, "
          f"{RATE} events/s for {WARM_SECONDS} + {SECONDS} s")  # fmt: skip
    logging.getLogger("websockets").setLevel(logging.WARNING)
    db = await start_throwaway_database()
    root = Path(tempfile.mkdtemp(prefix="atlas-bench-feed-"))
    shared = {
        "ATLAS_DATABASE_URL": db.app.render(hide_password=False),
        "ATLAS_SANDBOX": "false",
        "ATLAS_LOG_LEVEL": "WARNING",
    }
    engine = create_engine(db.app, pool_size=10, max_overflow=10)
    servers: list[ServedApi] = []
    try:
        settings = load_settings(shared | {"ATLAS_DATA_DIR": str(root / "data")})
        sessions = session_factory(engine)
        started = time.perf_counter()
        tenants = await seed(settings, sessions, TENANTS, PER_TENANT)
        line(f"{TENANTS} tenants x {PER_TENANT} members, each a session (in the database)",
             f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        # Nobody signs in during the bench: one hashing thread per process is plenty.
        env = atlas_env(settings.data_dir, **shared | {"ATLAS_PASSWORD_HASH_CONCURRENCY": "1"})
        servers = [ServedApi(env, root / f"api-{n}.log") for n in range(2)]
        await asyncio.gather(*(s.ready() for s in servers))
        postmaster = int((db.cluster.pgdata / "postmaster.pid").read_text().split()[0])
        return await _measure(servers, tenants, Writer(sessions, tenants), postmaster)
    finally:
        for server in servers:
            server.stop()
        await engine.dispose()
        db.cluster.destroy()
        shutil.rmtree(root, ignore_errors=True)


def _feed(server: ServedApi) -> str:
    return f"ws://127.0.0.1:{server.port}/api/v1/feed"


async def _measure(
    servers: list[ServedApi], tenants: list[list[Member]], writer: Writer, postmaster: int
) -> dict[str, float]:
    subscribers = [
        Subscriber(member, _feed(servers[i % 2]))
        for members in tenants
        for i, member in enumerate(members)
    ]
    rss = [[s.rss_kib() for s in servers]]
    started = time.perf_counter()
    # The first sockets load what the feed imports lazily and fill each process's database
    # pool (opening takes a connection): memory per connection is counted after them.
    await _open(subscribers[:WARM_SOCKETS])
    rss.append([s.rss_kib() for s in servers])
    await _open(subscribers[WARM_SOCKETS:])
    opened = time.perf_counter() - started
    rss.append([s.rss_kib() for s in servers])
    figures = _memory(rss, len(subscribers), opened)
    listening = [asyncio.create_task(s.listen()) for s in subscribers]
    try:
        cpu = CpuMeter(
            {f"API {n + 1}": s.process.pid for n, s in enumerate(servers)},
            {"PostgreSQL": postmaster},
        )
        # The bench's own garbage collection would pause its receiving loop and count as
        # latency: everything made so far is frozen, and collection waits for the end.
        gc.collect()
        gc.freeze()
        gc.disable()
        await writer.run(RATE, WARM_SECONDS + SECONDS)
        figures |= _cpu_report(cpu.percent())
        await _drain(subscribers, tenants, writer)
    finally:
        gc.enable()
        gc.unfreeze()
        await asyncio.gather(*(s.close() for s in subscribers))
        await asyncio.gather(*listening, return_exceptions=True)
    heads = await PostgresTenantFeed(writer.sessions).heads([m[0].tenant for m in tenants])
    line("events in the outbox (the tenants' heads added up)", f"{sum(heads.values()):,}")
    return figures | _deliveries(subscribers, tenants, writer)


async def _open(subscribers: list[Subscriber]) -> None:
    opening = asyncio.Semaphore(OPENING_AT_ONCE)

    async def open_one(subscriber: Subscriber) -> None:
        async with opening:
            await subscriber.open()

    await asyncio.gather(*(open_one(s) for s in subscribers))


def _memory(rss: list[list[int]], sockets: int, opened: float) -> dict[str, float]:
    line("layout", f"{TENANTS} tenants x {PER_TENANT} sockets, alternating over 2 processes")
    line(f"open {sockets:,} sockets (auth, ready), {OPENING_AT_ONCE} at a time",
         f"{opened:.1f} s")  # fmt: skip
    for n, (idle, warm, full) in enumerate(zip(*rss, strict=True)):
        line(f"API {n + 1} RSS: idle / {WARM_SOCKETS // 2} sockets / {sockets // 2} sockets",
             f"{idle / 1024:.0f} / {warm / 1024:.0f} / {full / 1024:.0f} MiB")  # fmt: skip
    per = (sum(rss[2]) - sum(rss[1])) / (sockets - WARM_SOCKETS)
    line(f"memory per idle connection (RSS growth from {WARM_SOCKETS} to {sockets:,} sockets)",
         f"{per:.1f} KiB")  # fmt: skip
    return {"kib_per_connection": per, "open_seconds": opened}


def _cpu_report(used: dict[str, float]) -> dict[str, float]:
    names = ("API 1", "API 2", "PostgreSQL", "bench")
    ours = sum(used[name] for name in names)
    line("CPU while writing: API 1 / API 2 / PostgreSQL / bench (% of a core)",
         " / ".join(f"{used[name]:.0f}" for name in names) + " %")  # fmt: skip
    line("CPU while writing: ours / the whole machine (of 200 %)",
         f"{ours:.0f} / {used['machine']:.0f} %")  # fmt: skip
    return {"cpu_ours": ours, "cpu_machine": used["machine"]}


def _expected(tenants: list[list[Member]], writer: Writer) -> dict[int, set[int]]:
    """Each member's events by ``n``: the events of their tenant they may see."""
    wanted: dict[int, set[int]] = {}
    for event in writer.written:
        for member in tenants[event.tenant]:
            if event.visible_to(member):
                wanted.setdefault(id(member), set()).add(event.n)
    return wanted


async def _drain(subscribers: list[Subscriber], tenants: list[list[Member]], w: Writer) -> None:
    """Until every socket holds as many events as it should, or ``DRAIN_SECONDS`` passed."""
    wanted = _expected(tenants, w)
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline:
        short = [s for s in subscribers if len(s.received) < len(wanted.get(id(s.member), ()))]
        if not short:
            return
        await asyncio.sleep(0.05)


def _deliveries(
    subscribers: list[Subscriber], tenants: list[list[Member]], writer: Writer
) -> dict[str, float]:
    wanted = _expected(tenants, writer)
    committed = {w.n: w.commit_seconds for w in writer.written}
    latencies: dict[str, list[float]] = {"sent": [], "committed": [], "cold": []}
    counts = dict.fromkeys(("lost", "duplicated", "unordered", "unexpected", "closed"), 0)
    for subscriber in subscribers:
        seqs = [seq for seq, _, _, _ in subscriber.received]
        got = {n for _, n, _, _ in subscriber.received}
        expected = wanted.get(id(subscriber.member), set())
        counts["lost"] += len(expected - got)
        counts["unexpected"] += len(got - expected)
        counts["duplicated"] += len(seqs) - len(set(seqs))
        counts["unordered"] += any(a >= b for a, b in itertools.pairwise(seqs))
        counts["closed"] += subscriber.closed not in (None, 1000)
        for _, n, sent, received in subscriber.received:
            if n < RATE * WARM_SECONDS:
                latencies["cold"].append((received - sent) * 1000)
                continue
            latencies["sent"].append((received - sent) * 1000)
            latencies["committed"].append((received - sent - committed[n]) * 1000)
    return _report(writer, latencies, counts)


def _report(
    writer: Writer, latencies: dict[str, list[float]], counts: dict[str, int]
) -> dict[str, float]:
    commits = [w.commit_seconds * 1000 for w in writer.written]
    line(f"events committed ({RATE}/s planned)", f"{len(writer.written):,}")
    line("commit time p50 / p99 (announce + COMMIT, as atlas_app)",
         f"{percentile(commits, 50):.1f} / {percentile(commits, 99):.1f} ms")  # fmt: skip
    line("writer behind its schedule at most", f"{writer.behind * 1000:.0f} ms")
    line(f"deliveries (event, subscriber) in the first {WARM_SECONDS} s / after",
         f"{len(latencies['cold']):,} / {len(latencies['sent']):,}")  # fmt: skip
    figures: dict[str, float] = {}
    for start, label in (
        ("cold", f"latency in the first {WARM_SECONDS} s (cold): p50 / p99 / max"),
        ("sent", "latency COMMIT sent -> receipt: p50 / p99 / max (goal p99 < 100)"),
        ("committed", "latency COMMIT returned -> receipt: p50 / p99 / max"),
    ):
        values = latencies[start]
        p50, p99, top = percentile(values, 50), percentile(values, 99), max(values, default=0)
        line(label, f"{p50:.1f} / {p99:.1f} / {top:.1f} ms")
        figures |= {f"{start}_p50_ms": p50, f"{start}_p99_ms": p99, f"{start}_max_ms": top}
    line(
        "lost / duplicated / out of order / not theirs (goal 0)",
        " / ".join(str(counts[k]) for k in ("lost", "duplicated", "unordered", "unexpected")),
    )
    line("sockets closed by the server during the run", str(counts["closed"]))
    return figures | {k: float(v) for k, v in counts.items()}
