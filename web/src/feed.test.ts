// FeedClient against a fake socket and fake timers (docs/feed.md: auth first, resume with
// `after`, duplicates dropped, backoff, 4401, resync, stop).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FeedClient, type FeedEvent, type FeedStatus, type SocketLike } from "./feed";

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: string[] = [];
  closedWith: number | null = null;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason?: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(data);
  }

  close(code?: number): void {
    this.closedWith = code ?? 1000;
    this.readyState = 3;
  }

  // What the server does:
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  receive(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  drop(code: number): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }

  messages(): Record<string, unknown>[] {
    return this.sent.map((text) => JSON.parse(text) as Record<string, unknown>);
  }
}

function setup(tokens: (string | null)[] = ["t1"]) {
  const sockets: FakeSocket[] = [];
  let call = 0;
  const token = vi.fn(async () => {
    const value = tokens[Math.min(call, tokens.length - 1)] ?? null;
    call += 1;
    return value;
  });
  const client = new FeedClient({
    url: "wss://atlas.test/api/v1/feed",
    open: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    token,
    setTimer: (run, ms) => setTimeout(run, ms),
    clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    random: () => 0, // no jitter: each delay is half the backoff step
  });
  const events: FeedEvent[] = [];
  const statuses: FeedStatus[] = [];
  client.onEvent((event) => events.push(event));
  client.onStatus((status) => statuses.push(status));
  const last = (): FakeSocket => {
    const socket = sockets[sockets.length - 1];
    if (!socket) throw new Error("no socket opened");
    return socket;
  };
  return { client, sockets, token, events, statuses, last };
}

const flush = () => vi.advanceTimersByTimeAsync(0);
const event = (seq: number, kind = "sync.progress") => ({ type: "event", seq, kind, at: "2026-01-01T00:00:00Z", data: { n: seq } });

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("FeedClient", () => {
  it("authenticates with its first message, with after: null on a first connection", async () => {
    const { client, sockets, last, statuses } = setup();
    client.start();
    await flush();
    expect(sockets).toHaveLength(1);
    expect(last().url).toBe("wss://atlas.test/api/v1/feed"); // never a token in the URL
    last().open();
    expect(last().messages()).toEqual([{ type: "auth", access_token: "t1", after: null }]);
    expect(statuses.at(-1)).toBe("connecting");
    last().receive({ type: "ready", seq: 3 });
    expect(statuses.at(-1)).toBe("live");
    client.stop();
  });

  it.each([1006, 1012, 4408, 1001, 1011])("resumes after the last seq received when closed with %i", async (code) => {
    const { client, sockets, last, events, statuses } = setup();
    client.start();
    await flush();
    last().open();
    last().receive({ type: "ready", seq: 5 });
    last().receive(event(6));
    last().receive(event(7));
    last().drop(code);
    expect(statuses.at(-1)).toBe("connecting");
    await vi.advanceTimersByTimeAsync(15_000);
    expect(sockets).toHaveLength(2);
    last().open();
    expect(last().messages()[0]).toEqual({ type: "auth", access_token: "t1", after: 7 });
    expect(events.map((e) => e.seq)).toEqual([6, 7]);
    client.stop();
  });

  it("resumes from ready's seq when nothing arrived before the drop", async () => {
    const { client, last } = setup();
    client.start();
    await flush();
    last().open();
    last().receive({ type: "ready", seq: 41 });
    last().drop(1006);
    await vi.advanceTimersByTimeAsync(15_000);
    last().open();
    expect(last().messages()[0]).toMatchObject({ after: 41 });
    client.stop();
  });

  it("ignores events it has already seen (a replay overlapping live events)", async () => {
    const { client, last, events } = setup();
    client.start();
    await flush();
    last().open();
    last().receive({ type: "ready", seq: 5 });
    for (const seq of [6, 6, 5, 7, 7, 9]) last().receive(event(seq));
    last().receive("not json at all");
    expect(events.map((e) => e.seq)).toEqual([6, 7, 9]);
    client.stop();
  });

  it("backs off more after each failed attempt, and starts over once ready", async () => {
    const { client, sockets, last } = setup();
    client.start();
    await flush();
    const waitsUntilNext = async (): Promise<number> => {
      const before = sockets.length;
      let waited = 0;
      while (sockets.length === before && waited < 20_000) {
        await vi.advanceTimersByTimeAsync(50);
        waited += 50;
      }
      return waited;
    };
    last().drop(1006); // 500 ms × 2^0 × 0.5
    expect(await waitsUntilNext()).toBe(250);
    last().drop(1006);
    expect(await waitsUntilNext()).toBe(500);
    last().drop(1006);
    expect(await waitsUntilNext()).toBe(1000);
    last().drop(1006);
    expect(await waitsUntilNext()).toBe(2000);
    last().open();
    last().receive({ type: "ready", seq: 1 });
    last().drop(1006);
    expect(await waitsUntilNext()).toBe(250);
    client.stop();
  });

  it("never waits more than 15 s between attempts", async () => {
    const { client, sockets, last } = setup();
    client.start();
    await flush();
    for (let i = 0; i < 10; i += 1) {
      last().drop(1006);
      await vi.advanceTimersByTimeAsync(15_000);
    }
    expect(sockets).toHaveLength(11);
    client.stop();
  });

  it("goes offline on 4401, then tries again with a fresh token", async () => {
    const { client, sockets, last, statuses, token } = setup(["t1", "t2"]);
    client.start();
    await flush();
    last().open();
    last().receive({ type: "ready", seq: 10 });
    last().receive(event(11));
    last().drop(4401);
    expect(statuses.at(-1)).toBe("offline");
    await vi.advanceTimersByTimeAsync(15_000);
    expect(sockets).toHaveLength(2);
    expect(token).toHaveBeenCalledTimes(2);
    last().open();
    expect(last().messages()[0]).toEqual({ type: "auth", access_token: "t2", after: 11 });
    client.stop();
  });

  it("stays offline and retries while there is no token", async () => {
    const { client, sockets, statuses } = setup([null, null, "t3"]);
    client.start();
    await flush();
    expect(sockets).toHaveLength(0);
    expect(statuses.at(-1)).toBe("offline");
    await vi.advanceTimersByTimeAsync(15_000);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(sockets).toHaveLength(1);
    client.stop();
  });

  it("does not retry a protocol error (4400)", async () => {
    const { client, sockets, last, statuses } = setup();
    client.start();
    await flush();
    last().open();
    last().drop(4400);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
    expect(statuses.at(-1)).toBe("offline");
    client.stop();
  });

  it("tells resync listeners to reload over HTTP", async () => {
    const { client, last } = setup();
    const resync = vi.fn();
    const off = client.onResync(resync);
    client.start();
    await flush();
    last().open();
    last().receive({ type: "ready", seq: 100 });
    last().receive({ type: "resync" });
    expect(resync).toHaveBeenCalledTimes(1);
    off();
    last().receive({ type: "resync" });
    expect(resync).toHaveBeenCalledTimes(1);
    client.stop();
  });

  it("pings while live", async () => {
    const { client, last } = setup();
    client.start();
    await flush();
    last().open();
    last().receive({ type: "ready", seq: 0 });
    await vi.advanceTimersByTimeAsync(25_000);
    expect(last().messages().at(-1)).toEqual({ type: "ping" });
    client.stop();
  });

  it("sends a fresh token on the open socket when reauthenticating", async () => {
    const { client, last } = setup(["t1", "t2"]);
    client.start();
    await flush();
    last().open();
    await client.reauthenticate();
    expect(last().messages().at(-1)).toEqual({ type: "auth", access_token: "t2", after: null });
    client.stop();
  });

  it("stop() closes the socket and never reconnects", async () => {
    const { client, sockets, last, statuses } = setup();
    client.start();
    await flush();
    const socket = last();
    socket.open();
    socket.receive({ type: "ready", seq: 1 });
    client.stop();
    expect(socket.closedWith).toBe(1000);
    expect(statuses.at(-1)).toBe("stopped");
    socket.drop(1006); // the close event arriving afterwards changes nothing
    await vi.advanceTimersByTimeAsync(120_000);
    expect(sockets).toHaveLength(1);
    expect(statuses.at(-1)).toBe("stopped");
    expect(vi.getTimerCount()).toBe(0); // no ping, no retry left behind
  });

  it("stop() during a pending retry cancels it", async () => {
    const { client, sockets, last } = setup();
    client.start();
    await flush();
    last().drop(1006);
    client.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
  });

  it("a restart after stop begins again with after: null", async () => {
    const { client, last } = setup();
    client.start();
    await flush();
    last().open();
    last().receive({ type: "ready", seq: 1 });
    last().receive(event(2));
    client.stop();
    client.start();
    await flush();
    last().open();
    expect(last().messages()[0]).toMatchObject({ after: null });
    client.stop();
  });
});
