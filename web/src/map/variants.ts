// Variant filter helpers. A variant is its activities in order; in the page's URL and in the
// API's query each selected variant is one `variant` parameter holding a JSON array.
import { formatPercent } from "./format";
import { edgeKey, type ProcessMap, type VariantInfo } from "./types";

export type Variant = string[];

export function encodeVariant(variant: Variant): string {
  return JSON.stringify(variant);
}

/** Parses `variant` parameters; anything that is not a JSON array of strings is dropped. */
export function decodeVariants(values: readonly string[]): Variant[] {
  const out: Variant[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      continue;
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((a) => typeof a === "string")) continue;
    const key = encodeVariant(parsed as string[]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(parsed as string[]);
  }
  return out;
}

/** The API's repeated `variant` query values (api.get turns an array into repeated params). */
export function variantParams(selected: readonly Variant[]): string[] {
  return selected.map(encodeVariant);
}

export function sameVariant(a: Variant, b: Variant): boolean {
  return a.length === b.length && a.every((step, i) => step === b[i]);
}

export function isSelected(selected: readonly Variant[], variant: Variant): boolean {
  return selected.some((v) => sameVariant(v, variant));
}

/** Adds the variant to the selection, or removes it if it is there. */
export function toggleVariant(selected: readonly Variant[], variant: Variant): Variant[] {
  return isSelected(selected, variant) ? selected.filter((v) => !sameVariant(v, variant)) : [...selected, variant];
}

/** The variant's share of cases in [0, 1], from its count when the total is known. */
export function variantShare(variant: VariantInfo, cases: number): number {
  if (cases > 0) return variant.count / cases;
  return variant.share > 1 ? variant.share / 100 : variant.share;
}

/** "Variant 1 · 38% · 7 steps" (index is 0-based). */
export function variantLabel(index: number, variant: VariantInfo, cases: number): string {
  const steps = variant.activities.length;
  return `Variant ${index + 1} · ${formatPercent(variantShare(variant, cases))} · ${steps} ${steps === 1 ? "step" : "steps"}`;
}

/** Checks that a map restricted to one variant shows exactly that variant's path: its
 * activities, its consecutive pairs as edges, its first activity as the only start and its
 * last as the only end. Returns what differs (empty when it matches). */
export function mapMatchesVariant(map: Pick<ProcessMap, "nodes" | "edges" | "starts" | "ends">, variant: Variant): string[] {
  const problems: string[] = [];
  const wantNodes = new Set(variant);
  const haveNodes = new Set(map.nodes.map((n) => n.activity));
  for (const a of wantNodes) if (!haveNodes.has(a)) problems.push(`missing activity ${a}`);
  for (const a of haveNodes) if (!wantNodes.has(a)) problems.push(`extra activity ${a}`);
  const wantEdges = new Set<string>();
  for (let i = 1; i < variant.length; i++) wantEdges.add(edgeKey(variant[i - 1] as string, variant[i] as string));
  const haveEdges = new Set(map.edges.map((e) => edgeKey(e.source, e.target)));
  for (const e of wantEdges) if (!haveEdges.has(e)) problems.push(`missing path ${e}`);
  for (const e of haveEdges) if (!wantEdges.has(e)) problems.push(`extra path ${e}`);
  const first = variant[0];
  const last = variant[variant.length - 1];
  const starts = map.starts.map((s) => s.activity);
  const ends = map.ends.map((s) => s.activity);
  if (starts.length !== 1 || starts[0] !== first) problems.push(`starts ${JSON.stringify(starts)}, expected ${first}`);
  if (ends.length !== 1 || ends[0] !== last) problems.push(`ends ${JSON.stringify(ends)}, expected ${last}`);
  return problems;
}
