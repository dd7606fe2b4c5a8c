// The app's one feed connection, started on sign-in and stopped on sign-out, and the hooks
// screens use to react to it.
import { useEffect, useRef, useState } from "preact/hooks";
import { accessTokenNow, onSession, refresh } from "./api/session";
import { feedUrl } from "./config";
import { FeedClient, type FeedEvent, type FeedStatus, type SocketLike } from "./feed";

let client: FeedClient | null = null;

/** Called once at start-up, before anyone signs in, so the feed follows every session change. */
export function startFeed(): void {
  feed();
}

export function feed(): FeedClient {
  if (!client) {
    client = new FeedClient({
      url: feedUrl(),
      open: (url) => new WebSocket(url) as unknown as SocketLike,
      token: async () => accessTokenNow() ?? ((await refresh()) ? accessTokenNow() : null),
      setTimer: (run, ms) => setTimeout(run, ms),
      clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    });
    let signedIn = false;
    let tenant: string | undefined;
    onSession((state) => {
      const now = state.status === "signed-in";
      if (now && (!signedIn || state.tenantId !== tenant)) {
        client?.stop();
        client?.start();
      } else if (now) {
        void client?.reauthenticate(); // a refreshed token for the open socket
      } else if (signedIn) {
        client?.stop();
      }
      signedIn = now;
      tenant = state.tenantId;
    });
  }
  return client;
}

/** Calls ``handler`` for each event whose kind is listed (or every event for "*"). */
export function useFeedEvents(kinds: string[], handler: (event: FeedEvent) => void): void {
  const latest = useRef(handler);
  latest.current = handler;
  const key = kinds.join(",");
  useEffect(() => {
    const wanted = new Set(key.split(","));
    const offEvent = feed().onEvent((event) => {
      if (wanted.has("*") || wanted.has(event.kind)) latest.current(event);
    });
    return offEvent;
  }, [key]);
}

/** Calls ``handler`` when the feed says what we missed is gone: reload over HTTP. */
export function useResync(handler: () => void): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => feed().onResync(() => latest.current()), []);
}

export function useFeedStatus(): FeedStatus {
  const [status, setStatus] = useState<FeedStatus>(feed().currentStatus);
  useEffect(() => feed().onStatus(setStatus), []);
  return status;
}
