// The explorer's view state lives in the URL query so a view can be bookmarked and shared:
// type, view, metric, activities %, paths %, variant (repeated), from, to (days), tab.
import { clampPercent } from "./coverage";
import type { MapViewKind, Metric } from "./types";
import { decodeVariants, encodeVariant, type Variant } from "./variants";

export interface ExplorerState {
  type: string | null;
  view: MapViewKind;
  metric: Metric;
  activities: number;
  /** null: chosen by the map's size (``effectivePaths``) until the slider is moved. */
  paths: number | null;
  variants: Variant[];
  from: string;
  to: string;
  tab: "map" | "handoffs";
}

/** Defaults keep a dense map readable: every activity, the busiest 40% of paths. */
export const DEFAULTS = { view: "frequency", metric: "median", activities: 100, paths: 40, tab: "map" } as const;

/** Paths drawn when a view has not chosen: every path of a small map (or of chosen variants,
 * whose point is their whole path); of a dense one, the busiest, about ``READABLE_PATHS`` of
 * them: more is unreadable and slower to lay out. */
export const READABLE_PATHS = 60;

export function effectivePaths(state: Pick<ExplorerState, "paths" | "variants">, edges: number): number {
  if (state.paths !== null) return state.paths;
  if (state.variants.length || edges <= READABLE_PATHS) return 100;
  return clampPercent(Math.max(DEFAULTS.paths / 4, Math.floor((READABLE_PATHS / edges) * 100)));
}
const METRICS: Metric[] = ["mean", "median", "p90"];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function percent(value: string | null, fallback: number): number {
  if (value === null || value.trim() === "") return fallback;
  return clampPercent(Number(value));
}

export function readState(query: URLSearchParams): ExplorerState {
  const metric = query.get("metric") as Metric | null;
  const from = query.get("from") ?? "";
  const to = query.get("to") ?? "";
  const variants = decodeVariants(query.getAll("variant"));
  return {
    type: query.get("type") || null,
    view: query.get("view") === "performance" ? "performance" : "frequency",
    metric: metric && METRICS.includes(metric) ? metric : DEFAULTS.metric,
    activities: percent(query.get("activities"), DEFAULTS.activities),
    paths: query.get("paths") ? percent(query.get("paths"), DEFAULTS.paths) : null,
    variants,
    from: DAY.test(from) ? from : "",
    to: DAY.test(to) ? to : "",
    tab: query.get("tab") === "handoffs" ? "handoffs" : "map",
  };
}

/** The query string with `changes` applied; defaults are left out to keep URLs short. */
export function writeState(query: URLSearchParams, changes: Partial<ExplorerState>): string {
  const next = new URLSearchParams(query);
  const put = (key: string, value: string | null, fallback?: string) => {
    if (value === null || value === "" || value === fallback) next.delete(key);
    else next.set(key, value);
  };
  for (const [key, value] of Object.entries(changes) as [keyof ExplorerState, unknown][]) {
    if (key === "variants") {
      next.delete("variant");
      for (const v of value as Variant[]) next.append("variant", encodeVariant(v));
    } else if (key === "activities") {
      put(key, String(clampPercent(value as number)), String(DEFAULTS[key]));
    } else if (key === "paths") {
      continue; // written below: a chosen percentage is always kept, even the default
    } else if (key === "view" || key === "metric" || key === "tab") {
      put(key, value as string, DEFAULTS[key]);
    } else {
      put(key, (value as string | null) ?? null);
    }
  }
  if (changes.paths !== undefined) {
    put("paths", changes.paths === null ? null : String(clampPercent(changes.paths)));
  }
  return next.toString();
}
