import { describe, expect, it } from "vitest";
import type { ElkNode } from "elkjs/lib/elk-api";
import { activityOrder, filterMap } from "./coverage";
import { sampleMap } from "./fixtures";
import { buildLayoutRequest, END, LayoutClient, nodeSize, readLayout, START, wrapLabel, type LayoutReply, type WorkerLike } from "./layout";
import { edgeKey } from "./types";

describe("the layout request", () => {
  it("wraps long names and sizes nodes by label only", () => {
    expect(wrapLabel("W_Completeren aanvraag")).toEqual(["W_Completeren aanvraag"]);
    expect(wrapLabel("Send the final signed quote to the customer for review")).toHaveLength(3);
    expect(nodeSize("A").width).toBe(120);
    expect(nodeSize("A much longer activity name").width).toBeGreaterThan(120);
  });

  it("has start and end markers and no edge to a hidden activity", () => {
    const map = sampleMap();
    const { graph } = buildLayoutRequest(filterMap(map, 60, 100), activityOrder(map));
    const ids = graph.children!.map((c) => c.id);
    expect(ids).toEqual([START, "A", "B", "C", END]);
    for (const e of graph.edges as { sources: string[]; targets: string[] }[]) {
      expect(ids).toContain(e.sources[0]);
      expect(ids).toContain(e.targets[0]);
    }
    expect(graph.layoutOptions?.["elk.layered.considerModelOrder.strategy"]).toBe("NODES_AND_EDGES");
  });

  it("has the same key (a cached layout) when only figures change", () => {
    const map = sampleMap();
    const order = activityOrder(map);
    const a = buildLayoutRequest(filterMap(map, 100, 100), order);
    const busier = sampleMap({ nodes: map.nodes.map((n) => ({ ...n, count: n.count * 2 })) });
    const b = buildLayoutRequest(filterMap(busier, 100, 100), order);
    expect(b.key).toBe(a.key);
    expect(buildLayoutRequest(filterMap(map, 100, 50), order).key).not.toBe(a.key);
  });

  it("reads ELK's answer as boxes and polylines", () => {
    const result: ElkNode = {
      id: "root", width: 300, height: 200,
      children: [{ id: "A", x: 10, y: 20, width: 120, height: 50 }],
      edges: [{ id: edgeKey("A", "B"), sources: ["A"], targets: ["B"], sections: [{ id: "s", startPoint: { x: 1, y: 2 }, bendPoints: [{ x: 1, y: 5 }], endPoint: { x: 4, y: 5 } }] }],
    } as ElkNode;
    const layout = readLayout("k", result);
    expect(layout.nodes.get("A")).toEqual({ x: 10, y: 20, width: 120, height: 50 });
    expect(layout.edges.get(edgeKey("A", "B"))).toEqual([{ x: 1, y: 2 }, { x: 1, y: 5 }, { x: 4, y: 5 }]);
  });
});

class FakeWorker implements WorkerLike {
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  sent: { id: number; graph: ElkNode }[] = [];
  postMessage(message: unknown) {
    this.sent.push(message as { id: number; graph: ElkNode });
  }
  terminate() {}
  reply(id: number) {
    const request = this.sent.find((m) => m.id === id)!;
    const reply: LayoutReply = { id, result: { ...request.graph, width: 10, height: 10 } };
    this.onmessage?.({ data: reply } as MessageEvent);
  }
}

describe("the layout client", () => {
  const map = sampleMap();
  const order = activityOrder(map);
  const first = buildLayoutRequest(filterMap(map, 100, 100), order);
  const second = buildLayoutRequest(filterMap(map, 100, 50), order);

  it("lets the latest request win and caches every answer", async () => {
    const worker = new FakeWorker();
    const client = new LayoutClient(() => worker);
    const stale = client.layout(first);
    const latest = client.layout(second);
    expect(await stale).toBeNull(); // overtaken
    worker.reply(1); // the stale answer still arrives and is kept
    worker.reply(2);
    expect((await latest)?.key).toBe(second.key);
    expect(client.cached(first.key)?.key).toBe(first.key);
    const again = await client.layout(first); // from the cache, no new message
    expect(again?.key).toBe(first.key);
    expect(worker.sent).toHaveLength(2);
  });

  it("rejects when the worker fails, and starts a new one next time", async () => {
    const workers: FakeWorker[] = [];
    const client = new LayoutClient(() => {
      workers.push(new FakeWorker());
      return workers.at(-1)!;
    });
    const failing = client.layout(first);
    workers[0]!.onerror?.({ preventDefault() {} } as ErrorEvent);
    await expect(failing).rejects.toThrow(/could not be laid out/);
    const next = client.layout(second);
    expect(workers).toHaveLength(2);
    workers[1]!.reply(2);
    expect((await next)?.key).toBe(second.key);
  });
});
