// What the sliders keep, and how much of the process that still explains. Slider positions
// are percentages (0-100) so a bookmarked view means the same thing when the data grows.
import { edgeKey, type MapEdge, type MapNode, type ProcessMap, type Terminal, type VariantInfo } from "./types";

export const MAX_DRAWN_NODES = 150;

export interface Coverage {
  /** Share of cases in [0, 1]. */
  share: number;
  /** True when only the top variants were returned: the share is a lower bound. */
  lowerBound: boolean;
}

export interface FilteredMap {
  nodes: MapNode[];
  edges: MapEdge[];
  starts: Terminal[];
  ends: Terminal[];
  /** Activities the slider keeps (before folding) and all there are. */
  keptActivities: number;
  totalActivities: number;
  /** Rarer activities kept by the slider but not drawn (more than MAX_DRAWN_NODES). */
  folded: number;
  /** Paths drawn, and the paths whose both ends are drawn. */
  keptPaths: number;
  eligiblePaths: number;
  activityCoverage: Coverage;
  pathCoverage: Coverage;
}

export function clampPercent(value: number): number {
  if (!Number.isFinite(value)) return 100;
  return Math.min(100, Math.max(0, Math.round(value)));
}

/** A slider percentage as a count of `total`: 0% keeps none, any other position at least one. */
export function percentToCount(percent: number, total: number): number {
  const pct = clampPercent(percent);
  if (total <= 0 || pct === 0) return 0;
  return Math.min(total, Math.max(1, Math.round((pct / 100) * total)));
}

export function byFrequency(a: MapNode, b: MapNode): number {
  return b.count - a.count || (a.activity < b.activity ? -1 : a.activity > b.activity ? 1 : 0);
}

export function byEdgeFrequency(a: MapEdge, b: MapEdge): number {
  return (
    b.count - a.count ||
    (a.source < b.source ? -1 : a.source > b.source ? 1 : 0) ||
    (a.target < b.target ? -1 : a.target > b.target ? 1 : 0)
  );
}

/** The K most frequent activities (ties by name). */
export function keepActivities(nodes: MapNode[], percent: number): MapNode[] {
  return [...nodes].sort(byFrequency).slice(0, percentToCount(percent, nodes.length));
}

/** The top edges by count among those whose ends are both kept. */
export function keepEdges(edges: MapEdge[], kept: Set<string>, percent: number): { kept: MapEdge[]; eligible: number } {
  const eligible = edges.filter((e) => kept.has(e.source) && kept.has(e.target)).sort(byEdgeFrequency);
  return { kept: eligible.slice(0, percentToCount(percent, eligible.length)), eligible: eligible.length };
}

/** Share of cases whose whole variant uses only kept activities (and, given edges, only
 * kept directly-follows pairs). Computed from the returned variants; a lower bound when
 * the API returned only the top variants. */
export function coverage(
  map: Pick<ProcessMap, "objects" | "variant_count" | "variants">,
  activities: Set<string>,
  edges?: Set<string>,
): Coverage {
  const lowerBound = map.variant_count > map.variants.length;
  const total = map.objects > 0 ? map.objects : map.variants.reduce((sum, v) => sum + v.count, 0);
  if (total <= 0) return { share: 0, lowerBound };
  let covered = 0;
  for (const variant of map.variants) if (variantCovered(variant, activities, edges)) covered += variant.count;
  return { share: Math.min(1, covered / total), lowerBound };
}

function variantCovered(variant: VariantInfo, activities: Set<string>, edges?: Set<string>): boolean {
  const steps = variant.activities;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as string;
    if (!activities.has(step)) return false;
    if (edges && i > 0 && !edges.has(edgeKey(steps[i - 1] as string, step))) return false;
  }
  return true;
}

/** The map as drawn: the sliders applied, rare activities folded above MAX_DRAWN_NODES, and
 * edges, starts and ends re-derived so nothing points at a hidden activity. */
export function filterMap(map: ProcessMap, activitiesPercent: number, pathsPercent: number, maxNodes = MAX_DRAWN_NODES): FilteredMap {
  const kept = keepActivities(map.nodes, activitiesPercent);
  const drawn = kept.slice(0, maxNodes);
  const names = new Set(drawn.map((n) => n.activity));
  const { kept: edges, eligible } = keepEdges(map.edges, names, pathsPercent);
  const edgeKeys = new Set(edges.map((e) => edgeKey(e.source, e.target)));
  return {
    nodes: drawn,
    edges,
    starts: map.starts.filter((s) => names.has(s.activity)),
    ends: map.ends.filter((s) => names.has(s.activity)),
    keptActivities: kept.length,
    totalActivities: map.nodes.length,
    folded: kept.length - drawn.length,
    keptPaths: edges.length,
    eligiblePaths: eligible,
    activityCoverage: coverage(map, names),
    pathCoverage: coverage(map, names, edgeKeys),
  };
}

/** "at least 93% of cases covered": a lower bound is rounded down, and nothing short of
 * every case is ever called 100%. */
export function describeCoverage(c: Coverage): string {
  const pct = c.share * 100;
  let text: string;
  if (c.share >= 1) text = "100%";
  else if (pct > 0 && pct < 1) text = "<1%";
  else text = `${Math.min(99, c.lowerBound ? Math.floor(pct) : Math.round(pct))}%`;
  return `${c.lowerBound && c.share < 1 ? "at least " : ""}${text} of cases covered`;
}

/** A fixed order for activities, from the whole map, so layouts keep their shape as sliders
 * move: by mean position in the variants (weighted by cases), then by frequency, then name. */
export function activityOrder(map: Pick<ProcessMap, "nodes" | "variants">): Map<string, number> {
  const sum = new Map<string, number>();
  const weight = new Map<string, number>();
  for (const variant of map.variants) {
    const steps = variant.activities;
    steps.forEach((activity, index) => {
      const position = steps.length > 1 ? index / (steps.length - 1) : 0;
      sum.set(activity, (sum.get(activity) ?? 0) + position * variant.count);
      weight.set(activity, (weight.get(activity) ?? 0) + variant.count);
    });
  }
  const position = (a: string) => {
    const w = weight.get(a);
    return w ? (sum.get(a) ?? 0) / w : 2; // activities in no returned variant go last
  };
  const sorted = [...map.nodes].sort((a, b) => position(a.activity) - position(b.activity) || byFrequency(a, b));
  return new Map(sorted.map((n, i) => [n.activity, i]));
}
