import { describe, expect, it } from "vitest";
import {
  activityOrder, clampPercent, coverage, describeCoverage, filterMap, keepActivities, keepEdges, percentToCount,
} from "./coverage";
import { edge, sampleMap } from "./fixtures";
import { edgeKey, type ProcessMap } from "./types";

describe("slider positions", () => {
  it("maps percentages to counts", () => {
    expect(percentToCount(100, 24)).toBe(24);
    expect(percentToCount(50, 24)).toBe(12);
    expect(percentToCount(0, 24)).toBe(0);
    expect(percentToCount(1, 24)).toBe(1); // any position above zero keeps one
    expect(percentToCount(150, 24)).toBe(24);
    expect(percentToCount(50, 0)).toBe(0);
    expect(clampPercent(Number.NaN)).toBe(100);
    expect(clampPercent(-4)).toBe(0);
  });

  it("keeps the most frequent activities, ties by name", () => {
    const map = sampleMap();
    expect(keepActivities(map.nodes, 40).map((n) => n.activity)).toEqual(["A", "C"]); // 10, 10: by name
    expect(keepActivities(map.nodes, 60).map((n) => n.activity)).toEqual(["A", "C", "B"]);
  });

  it("keeps the top edges among those whose ends are kept", () => {
    const map = sampleMap();
    const { kept, eligible } = keepEdges(map.edges, new Set(["A", "B", "C"]), 50);
    expect(eligible).toBe(2);
    expect(kept.map((e) => [e.source, e.target])).toEqual([["A", "B"]]);
  });
});

describe("coverage", () => {
  it("counts cases whose whole variant uses kept activities", () => {
    const map = sampleMap();
    expect(coverage(map, new Set(["A", "B", "C"]))).toEqual({ share: 0.6, lowerBound: false });
    expect(coverage(map, new Set(["A", "B", "C", "D", "E"]))).toEqual({ share: 1, lowerBound: false });
  });

  it("for paths, also needs every consecutive pair kept", () => {
    const map = sampleMap();
    const all = new Set(["A", "B", "C", "D", "E"]);
    const edges = new Set([edgeKey("A", "B"), edgeKey("B", "D"), edgeKey("D", "C")]);
    expect(coverage(map, all, edges).share).toBeCloseTo(0.3);
  });

  it("is a lower bound when only the top variants came back", () => {
    const map = sampleMap({ variant_count: 40, objects: 12 }); // 2 cases in unseen variants
    const c = coverage(map, new Set(["A", "B", "C"]));
    expect(c).toEqual({ share: 0.5, lowerBound: true });
    expect(describeCoverage({ share: 0.847, lowerBound: true })).toBe("at least 84% of cases covered");
    expect(describeCoverage({ share: 0.847, lowerBound: false })).toBe("85% of cases covered");
    expect(describeCoverage({ share: 0.9996, lowerBound: false })).toBe("99% of cases covered");
    expect(describeCoverage({ share: 1, lowerBound: true })).toBe("100% of cases covered");
    expect(describeCoverage({ share: 0.002, lowerBound: false })).toBe("<1% of cases covered");
  });

  it("is zero, not NaN, without cases", () => {
    const map = sampleMap({ objects: 0, variants: [], variant_count: 0 });
    expect(coverage(map, new Set())).toEqual({ share: 0, lowerBound: false });
  });
});

describe("filterMap", () => {
  it("re-derives edges, starts and ends so nothing points at a hidden activity", () => {
    const map = sampleMap({ starts: [{ activity: "A", count: 9 }, { activity: "E", count: 1 }] });
    const drawn = filterMap(map, 60, 100); // A, C, B
    const names = new Set(drawn.nodes.map((n) => n.activity));
    expect([...names].sort()).toEqual(["A", "B", "C"]);
    for (const e of drawn.edges) expect(names.has(e.source) && names.has(e.target)).toBe(true);
    expect(drawn.starts.map((s) => s.activity)).toEqual(["A"]);
    expect(drawn.ends.map((s) => s.activity)).toEqual(["C"]);
    expect(drawn.edges).toHaveLength(2);
    expect(drawn.keptActivities).toBe(3);
    expect(drawn.totalActivities).toBe(5);
    expect(drawn.activityCoverage.share).toBeCloseTo(0.6);
    expect(drawn.folded).toBe(0);
  });

  it("folds the rarest activities above the drawing limit and says how many", () => {
    const nodes = Array.from({ length: 187 }, (_, i) => ({ activity: `act ${String(i).padStart(3, "0")}`, count: 1000 - i }));
    const edges = nodes.slice(1).map((n, i) => edge(nodes[i]!.activity, n.activity, 5));
    const map: ProcessMap = sampleMap({ nodes, edges, starts: [], ends: [], variants: [], variant_count: 0 });
    const drawn = filterMap(map, 100, 100);
    expect(drawn.nodes).toHaveLength(150);
    expect(drawn.folded).toBe(37);
    expect(drawn.nodes.at(-1)?.activity).toBe("act 149");
    expect(drawn.edges).toHaveLength(149);
    expect(drawn.eligiblePaths).toBe(149);
  });
});

describe("activityOrder", () => {
  it("orders by mean position in the variants, a fixed key for stable layouts", () => {
    const order = activityOrder(sampleMap());
    expect([...order.keys()]).toEqual(["A", "B", "E", "D", "C"]); // B: (6·½ + 3·⅓)/9 ≈ 0.44, E: ½
  });
});
