// What the feed says about running syncs, folded per connection (docs/feed.md): sync.started
// opens an entry, sync.progress adds a page's counts or records a wait, sync.finished/failed
// close it (the screen then reloads that connection over HTTP). Pure: tested in node.
import type { FeedEvent } from "../feed";

export interface LiveSync {
  runId: string;
  state: "running" | "waiting";
  pages: number;
  fetched: number;
  new: number;
  changed: number;
  deleted: number;
  stream: string | null;
  /** Why a waiting run waits (a stable code) and when it comes back. */
  reason: string | null;
  resumeAt: string | null;
}

export type LiveSyncs = Readonly<Record<string, LiveSync>>;

export interface Folded {
  next: LiveSyncs;
  /** A connection to reload over HTTP, when the event ends a run or changes its status. */
  reload: string | null;
}

function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

function str(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function fresh(runId: string): LiveSync {
  return { runId, state: "running", pages: 0, fetched: 0, new: 0, changed: 0, deleted: 0, stream: null, reason: null, resumeAt: null };
}

export function foldSync(current: LiveSyncs, event: FeedEvent): Folded {
  const data = event.data ?? {};
  const connection = str(data.connection_id);
  if (!connection) return { next: current, reload: null };
  const runId = str(data.run_id) ?? "";
  const known = current[connection];
  const same = known && known.runId === runId ? known : fresh(runId);
  switch (event.kind) {
    case "sync.started":
      return { next: { ...current, [connection]: fresh(runId) }, reload: null };
    case "sync.progress": {
      const page = data.page as Record<string, unknown> | undefined;
      if (page && typeof page === "object") {
        const next: LiveSync = {
          ...same,
          state: "running",
          reason: null,
          resumeAt: null,
          stream: str(data.stream) ?? same.stream,
          pages: same.pages + num(page.pages),
          fetched: same.fetched + num(page.fetched),
          new: same.new + num(page.new),
          changed: same.changed + num(page.changed),
          deleted: same.deleted + num(page.deleted),
        };
        return { next: { ...current, [connection]: next }, reload: null };
      }
      const waiting: LiveSync = { ...same, state: "waiting", reason: str(data.reason), resumeAt: str(data.resume_at) };
      return { next: { ...current, [connection]: waiting }, reload: null };
    }
    case "sync.finished":
    case "sync.failed": {
      const { [connection]: _gone, ...rest } = current;
      return { next: rest, reload: connection };
    }
    case "connection.status":
      return { next: current, reload: connection };
    default:
      return { next: current, reload: null };
  }
}

/** One line of counts for a running sync: "3 pages · 1,200 records read · 40 new". */
export function progressLine(live: LiveSync, locale?: string): string {
  const n = (x: number) => new Intl.NumberFormat(locale).format(x);
  const parts = [
    `${n(live.pages)} ${live.pages === 1 ? "page" : "pages"}`,
    `${n(live.fetched)} ${live.fetched === 1 ? "record" : "records"} read`,
  ];
  if (live.new) parts.push(`${n(live.new)} new`);
  if (live.changed) parts.push(`${n(live.changed)} changed`);
  if (live.deleted) parts.push(`${n(live.deleted)} removed`);
  return parts.join(" · ");
}
