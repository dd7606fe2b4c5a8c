// The realtime feed (docs/feed.md): one WebSocket per signed-in tab. It authenticates with
// its first message, remembers the last seq it received, and reconnects with `after` so no
// event is lost across a dropped connection, a server restart or a fresh access token.
// "resync" (the server no longer keeps what we missed) tells listeners to reload over HTTP.

export interface FeedEvent {
  type: "event";
  seq: number;
  kind: string;
  at: string;
  data: Record<string, unknown>;
}

export type FeedStatus = "connecting" | "live" | "offline" | "stopped";

export interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export interface FeedDeps {
  url: string;
  open: (url: string) => SocketLike;
  token: () => Promise<string | null>;
  setTimer: (run: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
  random?: () => number;
}

type EventListener = (event: FeedEvent) => void;
type StatusListener = (status: FeedStatus) => void;

const RESUMABLE = new Set([1001, 1006, 1011, 1012, 4408, 1000]);
const MAX_BACKOFF_MS = 15_000;
const PING_MS = 25_000;

export class FeedClient {
  private socket: SocketLike | null = null;
  private lastSeq: number | null = null;
  private attempts = 0;
  private retryHandle: unknown = null;
  private pingHandle: unknown = null;
  private running = false;
  private status: FeedStatus = "stopped";
  private readonly events = new Set<EventListener>();
  private readonly statuses = new Set<StatusListener>();
  private readonly resyncs = new Set<() => void>();

  constructor(private readonly deps: FeedDeps) {}

  get seq(): number | null {
    return this.lastSeq;
  }

  get currentStatus(): FeedStatus {
    return this.status;
  }

  onEvent(listener: EventListener): () => void {
    this.events.add(listener);
    return () => this.events.delete(listener);
  }

  onStatus(listener: StatusListener): () => void {
    this.statuses.add(listener);
    listener(this.status);
    return () => this.statuses.delete(listener);
  }

  onResync(listener: () => void): () => void {
    this.resyncs.add(listener);
    return () => this.resyncs.delete(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  stop(): void {
    this.running = false;
    this.lastSeq = null;
    this.clearRetry();
    this.stopPing();
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close(1000, "signed out");
    this.setStatus("stopped");
  }

  /** A fresh access token for the open socket (sent before the old one expires). */
  async reauthenticate(): Promise<void> {
    const token = await this.deps.token();
    if (token && this.socket && this.socket.readyState === 1) {
      this.socket.send(JSON.stringify({ type: "auth", access_token: token, after: null }));
    }
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    this.setStatus("connecting");
    const token = await this.deps.token();
    if (!this.running) return;
    if (!token) {
      this.setStatus("offline");
      this.scheduleRetry();
      return;
    }
    const socket = this.deps.open(this.deps.url);
    this.socket = socket;
    socket.onopen = () => {
      socket.send(JSON.stringify({ type: "auth", access_token: token, after: this.lastSeq }));
    };
    socket.onmessage = (message) => this.receive(message.data);
    socket.onerror = () => undefined; // onclose follows and decides
    socket.onclose = (event) => this.closed(socket, event.code);
  }

  private receive(raw: unknown): void {
    if (typeof raw !== "string") return;
    let message: { type?: string; seq?: number } & Record<string, unknown>;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    if (message.type === "ready") {
      this.attempts = 0;
      this.setStatus("live");
      this.startPing();
      if (this.lastSeq === null && typeof message.seq === "number") this.lastSeq = message.seq;
    } else if (message.type === "resync") {
      for (const listener of this.resyncs) listener();
    } else if (message.type === "event" && typeof message.seq === "number") {
      if (this.lastSeq !== null && message.seq <= this.lastSeq) return; // already seen
      this.lastSeq = message.seq;
      for (const listener of this.events) listener(message as unknown as FeedEvent);
    }
  }

  private closed(socket: SocketLike, code: number): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.stopPing();
    if (!this.running) return;
    if (code === 4401 || code === 4400 || code === 1008 || code === 1009) {
      // Not something a retry fixes now: a fresh token may (4401), later; a bug won't.
      this.setStatus("offline");
      if (code === 4401) this.scheduleRetry();
      return;
    }
    this.setStatus(RESUMABLE.has(code) ? "connecting" : "offline");
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    this.clearRetry();
    const jitter = (this.deps.random ?? Math.random)();
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempts) * (0.5 + jitter / 2);
    this.attempts += 1;
    this.retryHandle = this.deps.setTimer(() => {
      this.retryHandle = null;
      void this.connect();
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryHandle !== null) this.deps.clearTimer(this.retryHandle);
    this.retryHandle = null;
  }

  private startPing(): void {
    this.stopPing();
    const tick = () => {
      if (this.socket && this.socket.readyState === 1) this.socket.send('{"type":"ping"}');
      this.pingHandle = this.deps.setTimer(tick, PING_MS);
    };
    this.pingHandle = this.deps.setTimer(tick, PING_MS);
  }

  private stopPing(): void {
    if (this.pingHandle !== null) this.deps.clearTimer(this.pingHandle);
    this.pingHandle = null;
  }

  private setStatus(status: FeedStatus): void {
    if (status === this.status) return;
    this.status = status;
    for (const listener of this.statuses) listener(status);
  }
}
