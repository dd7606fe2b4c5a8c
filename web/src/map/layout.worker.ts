// The map's layout worker: elk runs here, never on the page's thread. Only the newest
// request is laid out; requests overtaken while a layout runs are skipped (the page has
// moved on). Messages: {id, graph} in, {id, result} or {id, error} out.
import ELK from "elkjs/lib/elk.bundled.js";
import type { ElkNode } from "elkjs/lib/elk-api";
import { LAYOUT_OPTIONS } from "./layout";

interface Scope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
}
const scope = self as unknown as Scope;

/** elk's bundle, loaded inside a worker, takes the worker over (it answers messages
 * itself) unless it sees a document when its engine is first required. The engine is
 * required in the constructor, so a stand-in document exists only for that moment. */
function createElk(): InstanceType<typeof ELK> {
  const global = globalThis as { document?: unknown };
  const stand = global.document === undefined;
  if (stand) global.document = {};
  try {
    return new ELK();
  } finally {
    if (stand) delete global.document;
  }
}

const elk = createElk();
let pending: { id: number; graph: ElkNode } | null = null;
let busy = false;

async function pump(): Promise<void> {
  if (busy) return;
  busy = true;
  while (pending) {
    const request = pending;
    pending = null;
    try {
      const result = await elk.layout(request.graph);
      scope.postMessage({ id: request.id, result });
    } catch (error) {
      scope.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  busy = false;
}

scope.onmessage = (event) => {
  pending = event.data as { id: number; graph: ElkNode };
  void pump();
};

// Warm the engine (its first layout is the slowest) while the page fetches the map.
const warm: ElkNode = {
  id: "warm",
  layoutOptions: LAYOUT_OPTIONS,
  children: ["a", "b", "c", "d", "e"].map((id) => ({ id, width: 120, height: 50 })),
  edges: [
    ["a", "b"], ["b", "c"], ["c", "d"], ["d", "b"], ["b", "e"], ["a", "e"],
  ].map(([s, t], i) => ({ id: `w${i}`, sources: [s as string], targets: [t as string] })),
};
busy = true;
elk
  .layout(warm)
  .catch(() => undefined)
  .finally(() => {
    busy = false;
    void pump();
  });
