// Laying out the drawn map: the ELK graph we send (pure, tested in node) and the client that
// talks to the layout worker. elk itself only ever runs in layout.worker.ts.
import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api";
import type { FilteredMap } from "./coverage";
import { edgeKey } from "./types";

export const START = "\u0001start";
export const END = "\u0001end";
const TERMINAL_SIZE = 30;
const LINE_CHARS = 22;

export interface Point {
  x: number;
  y: number;
}
export interface Box extends Point {
  width: number;
  height: number;
}
export interface Layout {
  key: string;
  width: number;
  height: number;
  nodes: Map<string, Box>;
  edges: Map<string, Point[]>;
}
export interface LayoutRequest {
  key: string;
  graph: ElkNode;
}

export const LAYOUT_OPTIONS: Record<string, string> = {
  "elk.algorithm": "layered",
  "elk.direction": "DOWN",
  "elk.edgeRouting": "ORTHOGONAL",
  "elk.randomSeed": "1",
  "elk.layered.thoroughness": "3",
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
  "elk.layered.cycleBreaking.strategy": "MODEL_ORDER",
  "elk.spacing.nodeNode": "36",
  "elk.layered.spacing.nodeNodeBetweenLayers": "56",
  "elk.spacing.edgeNode": "18",
  "elk.spacing.edgeEdge": "10",
  "elk.padding": "[top=24,left=24,bottom=24,right=24]",
};

/** Splits an activity name into at most three lines of about LINE_CHARS characters. */
export function wrapLabel(text: string, max = LINE_CHARS): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    const next = line ? `${line} ${word}` : word;
    if (next.length <= max || !line) line = next;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  const out = lines.slice(0, 3).map((l) => (l.length > max + 6 ? `${l.slice(0, max + 5)}…` : l));
  if (lines.length > 3) out[2] = `${(out[2] ?? "").slice(0, max)}…`;
  return out;
}

/** A node's size from its label (and a second line for its figure), never from the figure,
 * so switching view or metric never needs a new layout. */
export function nodeSize(label: string): { width: number; height: number } {
  const lines = wrapLabel(label);
  const longest = Math.max(...lines.map((l) => l.length));
  return { width: Math.round(Math.min(250, Math.max(120, 28 + longest * 7.2))), height: 22 + lines.length * 17 + 18 };
}

/** The ELK graph for a drawn map, in a fixed model order (`order` from the whole map). */
export function buildLayoutRequest(drawn: Pick<FilteredMap, "nodes" | "edges" | "starts" | "ends">, order: Map<string, number>): LayoutRequest {
  const rank = (a: string) => (a === START ? -1 : a === END ? Number.MAX_SAFE_INTEGER : order.get(a) ?? order.size);
  const byRank = (a: string, b: string) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
  const activities = drawn.nodes.map((n) => n.activity).sort(byRank);
  const children: ElkNode[] = [];
  if (drawn.starts.length) children.push({ id: START, width: TERMINAL_SIZE, height: TERMINAL_SIZE });
  for (const id of activities) children.push({ id, ...nodeSize(id) });
  if (drawn.ends.length) children.push({ id: END, width: TERMINAL_SIZE, height: TERMINAL_SIZE });
  const pairs: [string, string][] = [
    ...drawn.starts.map((s): [string, string] => [START, s.activity]),
    ...drawn.edges.map((e): [string, string] => [e.source, e.target]),
    ...drawn.ends.map((s): [string, string] => [s.activity, END]),
  ];
  pairs.sort((a, b) => byRank(a[0], b[0]) || byRank(a[1], b[1]));
  const edges: ElkExtendedEdge[] = pairs.map(([s, t]) => ({ id: edgeKey(s, t), sources: [s], targets: [t] }));
  // The key ignores order, so a refreshed map with the same shape reuses its layout.
  const key = JSON.stringify([children.map((c) => c.id).sort(), edges.map((e) => e.id).sort()]);
  return { key, graph: { id: "root", layoutOptions: LAYOUT_OPTIONS, children, edges } };
}

/** ELK's answer as boxes and polylines keyed like the request. */
export function readLayout(key: string, result: ElkNode): Layout {
  const nodes = new Map<string, Box>();
  for (const c of result.children ?? []) nodes.set(c.id, { x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 });
  const edges = new Map<string, Point[]>();
  for (const e of (result.edges ?? []) as ElkExtendedEdge[]) {
    const points: Point[] = [];
    for (const s of e.sections ?? []) points.push(s.startPoint, ...(s.bendPoints ?? []), s.endPoint);
    edges.set(e.id, points.map((p) => ({ x: p.x, y: p.y })));
  }
  return { key, width: result.width ?? 0, height: result.height ?? 0, nodes, edges };
}

export interface WorkerLike {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  terminate(): void;
}

export interface LayoutReply {
  id: number;
  result?: ElkNode;
  error?: string;
}

interface Waiting {
  id: number;
  key: string;
  resolve: (layout: Layout | null) => void;
  reject: (error: Error) => void;
}

const CACHE_SIZE = 40;

/** Sends layouts to the worker: cached by the drawn nodes and edges, latest request wins
 * (an earlier caller gets null; the worker skips requests that were overtaken). */
export class LayoutClient {
  private readonly cache = new Map<string, Layout>();
  private readonly keys = new Map<number, string>();
  private worker: WorkerLike | null = null;
  private waiting: Waiting | null = null;
  private seq = 0;

  constructor(private readonly factory: () => WorkerLike) {}

  cached(key: string): Layout | undefined {
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key); // most recently used goes last
      this.cache.set(key, hit);
    }
    return hit;
  }

  /** Signed out: nothing of the last person's maps stays in this page. */
  forget(): void {
    this.cache.clear();
    this.waiting?.resolve(null);
    this.waiting = null;
    this.worker?.terminate();
    this.worker = null;
  }

  /** Starts the worker (it warms itself up) before the first map arrives. */
  warm(): void {
    this.ensureWorker();
  }

  layout(request: LayoutRequest): Promise<Layout | null> {
    const hit = this.cached(request.key);
    this.waiting?.resolve(null);
    this.waiting = null;
    if (hit) return Promise.resolve(hit);
    const id = ++this.seq;
    this.keys.set(id, request.key);
    return new Promise<Layout | null>((resolve, reject) => {
      this.waiting = { id, key: request.key, resolve, reject };
      this.ensureWorker().postMessage({ id, graph: request.graph });
    });
  }

  private ensureWorker(): WorkerLike {
    if (this.worker) return this.worker;
    const worker = this.factory();
    worker.onmessage = (event) => this.receive(event.data as LayoutReply);
    worker.onerror = (event) => {
      event.preventDefault?.();
      this.worker?.terminate();
      this.worker = null;
      this.waiting?.reject(new Error("The map could not be laid out."));
      this.waiting = null;
    };
    this.worker = worker;
    return worker;
  }

  private receive(reply: LayoutReply): void {
    const key = this.keys.get(reply.id);
    this.keys.delete(reply.id);
    if (key === undefined) return;
    const layout = reply.result ? readLayout(key, reply.result) : null;
    if (layout) this.remember(layout);
    const waiting = this.waiting;
    if (!waiting) return;
    if (waiting.id === reply.id) {
      this.waiting = null;
      if (layout) waiting.resolve(layout);
      else waiting.reject(new Error(reply.error ?? "The map could not be laid out."));
    } else if (layout && layout.key === waiting.key) {
      this.waiting = null;
      waiting.resolve(layout);
    }
  }

  private remember(layout: Layout): void {
    this.cache.delete(layout.key);
    this.cache.set(layout.key, layout);
    while (this.cache.size > CACHE_SIZE) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }
}

let shared: LayoutClient | null = null;

/** The page's one layout client, its worker started on first use. */
export function layoutClient(): LayoutClient {
  shared ??= new LayoutClient(
    () => new Worker(new URL("./layout.worker.ts", import.meta.url), { type: "module", name: "atlas-map-layout" }) as WorkerLike,
  );
  return shared;
}
