// A small process map for the tests (not used by the app).
import type { MapEdge, ProcessMap } from "./types";

export function edge(source: string, target: string, count: number, median = 60): MapEdge {
  return { source, target, count, duration: { mean: median * 1.5, median, p90: median * 3, min: 1, max: median * 10, total: median * count } };
}

/** 10 cases: 6 × A B C, 3 × A B D C, 1 × A E C. */
export function sampleMap(overrides: Partial<ProcessMap> = {}): ProcessMap {
  return {
    object_type: "deal",
    objects: 10,
    activities: 34,
    nodes: [
      { activity: "A", count: 10 },
      { activity: "B", count: 9 },
      { activity: "C", count: 10 },
      { activity: "D", count: 3 },
      { activity: "E", count: 1 },
    ],
    edges: [edge("A", "B", 9), edge("B", "C", 6), edge("B", "D", 3), edge("D", "C", 3, 86400), edge("A", "E", 1), edge("E", "C", 1)],
    starts: [{ activity: "A", count: 10 }],
    ends: [{ activity: "C", count: 10 }],
    variant_count: 3,
    variants: [
      { activities: ["A", "B", "C"], count: 6, share: 0.6 },
      { activities: ["A", "B", "D", "C"], count: 3, share: 0.3 },
      { activities: ["A", "E", "C"], count: 1, share: 0.1 },
    ],
    handoffs: [],
    bottlenecks: [],
    ...overrides,
  };
}
