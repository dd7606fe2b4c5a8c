// An import's progress from the feed (import.progress / import.finished), for one import id.
import type { FeedEvent } from "../feed";

export interface ImportProgress {
  state: "uploading" | "running" | "done" | "failed";
  bytesRead: number;
  totalBytes: number;
  events: number;
  format: string | null;
  code: string | null;
}

export const STARTING: ImportProgress = {
  state: "uploading",
  bytesRead: 0,
  totalBytes: 0,
  events: 0,
  format: null,
  code: null,
};

function num(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

/** The progress after ``event``; the same object when the event is about another import. */
export function foldImport(current: ImportProgress, event: FeedEvent, importId: string): ImportProgress {
  const data = event.data ?? {};
  if (data.import_id !== importId) return current;
  if (current.state === "done" || current.state === "failed") return current; // late progress
  if (event.kind === "import.progress") {
    return {
      ...current,
      state: "running",
      bytesRead: num(data.bytes_read, current.bytesRead),
      totalBytes: num(data.total_bytes, current.totalBytes),
      events: num(data.events, current.events),
    };
  }
  if (event.kind === "import.finished") {
    const done = data.state === "done";
    const bytes = num(data.bytes, current.totalBytes);
    return {
      state: done ? "done" : "failed",
      bytesRead: done ? bytes : current.bytesRead,
      totalBytes: done ? bytes : current.totalBytes,
      events: num(data.events, current.events),
      format: typeof data.format === "string" ? data.format : current.format,
      code: typeof data.code === "string" ? data.code : null,
    };
  }
  return current;
}
