// The process-map API's shapes (docs: GET /api/v1/process-map*). Times are seconds.

export interface DurationStats {
  mean: number;
  median: number;
  p90: number;
  min: number;
  max: number;
  total: number;
}

export interface MapNode {
  activity: string;
  count: number;
}

export interface MapEdge {
  source: string;
  target: string;
  count: number;
  duration: DurationStats | null;
}

export interface Terminal {
  activity: string;
  count: number;
}

export interface VariantInfo {
  activities: string[];
  count: number;
  share: number;
}

export interface Handoff {
  source: string;
  target: string;
  count: number;
  median_delay: number | null;
}

export interface Actor {
  id: string;
  name: string;
  type: string;
}

export interface ProcessMap {
  object_type: string;
  objects: number;
  activities: number;
  nodes: MapNode[];
  edges: MapEdge[];
  starts: Terminal[];
  ends: Terminal[];
  variant_count: number;
  variants: VariantInfo[];
  handoffs: Handoff[];
  bottlenecks: MapEdge[];
}

export interface MapResponse {
  map: ProcessMap;
  actors: Actor[];
}

export interface ObjectTypeInfo {
  type: string;
  objects: number;
  activities: number;
}

export interface ObjectTypesResponse {
  object_types: ObjectTypeInfo[];
}

export interface CaseRecord {
  id: string;
  provider: string;
  source_id: string;
  url: string | null;
}

export interface CaseItem {
  id: string;
  name: string;
  type: string;
  url: string | null;
  records: CaseRecord[];
  occurrences: number;
  duration: number | null;
  first_at: string | null;
  last_at: string | null;
}

export interface CasesResponse {
  object_type: string;
  total: number;
  cases: CaseItem[];
}

export type Metric = "mean" | "median" | "p90";
export type MapViewKind = "frequency" | "performance";

/** What a drill-down opens: an activity or a path between two. */
export type Selection = { kind: "node"; activity: string } | { kind: "edge"; source: string; target: string };

export function edgeKey(source: string, target: string): string {
  return JSON.stringify([source, target]);
}
