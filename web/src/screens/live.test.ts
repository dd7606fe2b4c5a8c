import { describe, expect, it } from "vitest";
import type { FeedEvent } from "../feed";
import { STARTING, foldImport } from "./liveImport";
import { type LiveSyncs, foldSync, progressLine } from "./liveSync";

let seq = 0;
const ev = (kind: string, data: Record<string, unknown>): FeedEvent => ({ type: "event", seq: ++seq, kind, at: "2026-03-01T12:00:00Z", data });
const run = { run_id: "r1", connection_id: "c1", provider: "hubspot", trigger: "manual", status: "running", attempts: 1 };

describe("live syncs from the feed", () => {
  it("starts, adds each page's counts, and closes with a reload", () => {
    let state: LiveSyncs = {};
    state = foldSync(state, ev("sync.started", run)).next;
    expect(state.c1).toMatchObject({ runId: "r1", state: "running", pages: 0, fetched: 0 });
    const page = { pages: 1, fetched: 100, new: 97, changed: 3, deleted: 0 };
    state = foldSync(state, ev("sync.progress", { ...run, stream: "deals", page })).next;
    state = foldSync(state, ev("sync.progress", { ...run, stream: "deals", page })).next;
    expect(state.c1).toMatchObject({ pages: 2, fetched: 200, new: 194, changed: 6, stream: "deals" });
    expect(progressLine(state.c1!, "en")).toBe("2 pages · 200 records read · 194 new · 6 changed");
    const ended = foldSync(state, ev("sync.finished", { ...run, status: "succeeded", error: null }));
    expect(ended.next.c1).toBeUndefined();
    expect(ended.reload).toBe("c1");
  });

  it("records a wait's reason and resume time, then runs again on the next page", () => {
    let state: LiveSyncs = foldSync({}, ev("sync.started", run)).next;
    state = foldSync(state, ev("sync.progress", { ...run, status: "waiting", reason: "http_429", resume_at: "2026-03-01T12:05:00Z" })).next;
    expect(state.c1).toMatchObject({ state: "waiting", reason: "http_429", resumeAt: "2026-03-01T12:05:00Z" });
    state = foldSync(state, ev("sync.progress", { ...run, stream: "deals", page: { pages: 1, fetched: 5, new: 5, changed: 0, deleted: 0 } })).next;
    expect(state.c1).toMatchObject({ state: "running", reason: null, fetched: 5 });
  });

  it("opens an entry for progress it never saw start (a page opened mid-run)", () => {
    const state = foldSync({}, ev("sync.progress", { ...run, stream: "s", page: { pages: 3, fetched: 30 } })).next;
    expect(state.c1).toMatchObject({ pages: 3, fetched: 30, new: 0 });
  });

  it("starts counting again for a new run", () => {
    let state: LiveSyncs = foldSync({}, ev("sync.progress", { ...run, page: { pages: 3, fetched: 30 } })).next;
    state = foldSync(state, ev("sync.progress", { ...run, run_id: "r2", page: { pages: 1, fetched: 1 } })).next;
    expect(state.c1).toMatchObject({ runId: "r2", pages: 1, fetched: 1 });
  });

  it("reloads on a failure and on a status change, and ignores what it does not know", () => {
    expect(foldSync({}, ev("sync.failed", { ...run, error: "unavailable:network" })).reload).toBe("c1");
    expect(foldSync({}, ev("connection.status", { connection_id: "c9", status: "needs_reauth" })).reload).toBe("c9");
    const same: LiveSyncs = {};
    expect(foldSync(same, ev("graph.changed", { revision: 3 })).next).toBe(same);
    expect(foldSync(same, ev("sync.started", {})).next).toBe(same);
  });
});

describe("an import's progress from the feed", () => {
  const id = "imp-1";
  it("follows its own import only", () => {
    const other = foldImport(STARTING, ev("import.progress", { import_id: "other", bytes_read: 1, total_bytes: 2, events: 3 }), id);
    expect(other).toBe(STARTING);
    const running = foldImport(STARTING, ev("import.progress", { import_id: id, bytes_read: 50, total_bytes: 200, events: 10 }), id);
    expect(running).toMatchObject({ state: "running", bytesRead: 50, totalBytes: 200, events: 10 });
  });
  it("ends done with the file's size and events, or failed with a code", () => {
    const done = foldImport(STARTING, ev("import.finished", { import_id: id, state: "done", format: "xes", bytes: 200, events: 42, code: null }), id);
    expect(done).toMatchObject({ state: "done", bytesRead: 200, totalBytes: 200, events: 42, format: "xes", code: null });
    const failed = foldImport(STARTING, ev("import.finished", { import_id: id, state: "failed", code: "graph.import_malformed" }), id);
    expect(failed).toMatchObject({ state: "failed", code: "graph.import_malformed" });
  });
  it("keeps the end when a late progress event arrives", () => {
    const done = foldImport(STARTING, ev("import.finished", { import_id: id, state: "done", bytes: 9, events: 1, code: null }), id);
    expect(foldImport(done, ev("import.progress", { import_id: id, bytes_read: 1, total_bytes: 9, events: 0 }), id)).toBe(done);
  });
});
