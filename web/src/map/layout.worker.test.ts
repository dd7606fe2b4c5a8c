// Runs the real worker module with elk in a worker-like global (a `self`, no `document`),
// the situation in which elk's bundle would otherwise take the worker's messages over.
import { afterAll, describe, expect, it } from "vitest";
import { activityOrder, filterMap } from "./coverage";
import { sampleMap } from "./fixtures";
import { buildLayoutRequest, readLayout, type LayoutReply } from "./layout";
import { edgeKey } from "./types";

const replies: LayoutReply[] = [];
const scope = {
  onmessage: null as ((event: { data: unknown }) => void) | null,
  postMessage: (message: unknown) => replies.push(message as LayoutReply),
};
(globalThis as Record<string, unknown>).self = scope;
afterAll(() => {
  delete (globalThis as Record<string, unknown>).self;
});

async function until(check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("layout.worker", () => {
  it("lays out the newest request with elk and skips overtaken ones", async () => {
    await import("./layout.worker");
    expect(typeof scope.onmessage).toBe("function");
    expect((globalThis as Record<string, unknown>).document).toBeUndefined();
    const map = sampleMap();
    const order = activityOrder(map);
    const stale = buildLayoutRequest(filterMap(map, 100, 30), order);
    const request = buildLayoutRequest(filterMap(map, 100, 100), order);
    scope.onmessage!({ data: { id: 1, graph: stale.graph } });
    scope.onmessage!({ data: { id: 2, graph: request.graph } });
    await until(() => replies.some((r) => r.id === 2));
    expect(replies.map((r) => r.id)).toEqual([2]);
    const layout = readLayout(request.key, replies[0]!.result!);
    expect(layout.nodes.size).toBe(7); // five activities, start, end
    const ab = layout.edges.get(edgeKey("A", "B"));
    expect(ab?.length).toBeGreaterThanOrEqual(2);
    // Top to bottom: A sits above C.
    expect(layout.nodes.get("A")!.y).toBeLessThan(layout.nodes.get("C")!.y);
  }, 90_000);
});
