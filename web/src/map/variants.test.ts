import { describe, expect, it } from "vitest";
import { sampleMap } from "./fixtures";
import { decodeVariants, encodeVariant, isSelected, mapMatchesVariant, toggleVariant, variantLabel, variantParams } from "./variants";
import { withQuery } from "../api/client";

describe("variant selection in the URL", () => {
  it("round-trips through URL parameters, commas and all", () => {
    const variants = [["Send quote", "Win, maybe"], ["A & B", "C?"]];
    const params = new URLSearchParams();
    for (const v of variants) params.append("variant", encodeVariant(v));
    const parsed = new URLSearchParams(params.toString());
    expect(decodeVariants(parsed.getAll("variant"))).toEqual(variants);
  });

  it("drops what is not a variant, and duplicates", () => {
    expect(decodeVariants(["nope", "[]", "[1,2]", '{"a":1}', '["A"]', '["A"]'])).toEqual([["A"]]);
  });

  it("becomes the API's repeated variant parameter", () => {
    const url = withQuery("/api/v1/process-map", { object_type: "deal", variant: variantParams([["A", "B"], ["A"]]) });
    const query = new URLSearchParams(url.split("?")[1]);
    expect(query.getAll("variant")).toEqual(['["A","B"]', '["A"]']);
  });

  it("toggles a variant in and out of the selection", () => {
    const one = toggleVariant([], ["A", "B"]);
    expect(isSelected(one, ["A", "B"])).toBe(true);
    expect(isSelected(one, ["A"])).toBe(false);
    expect(toggleVariant(one, ["A", "B"])).toEqual([]);
  });
});

describe("variant labels", () => {
  it("says rank, share and steps", () => {
    const map = sampleMap();
    expect(variantLabel(0, map.variants[0]!, map.objects)).toBe("Variant 1 · 60% · 3 steps");
    expect(variantLabel(2, { activities: ["A"], count: 38, share: 0.38 }, 0)).toBe("Variant 3 · 38% · 1 step");
  });
});

describe("a map restricted to one variant", () => {
  const variant = ["A", "B", "D", "C"];
  const restricted = {
    nodes: variant.map((activity) => ({ activity, count: 3 })),
    edges: [["A", "B"], ["B", "D"], ["D", "C"]].map(([source, target]) => ({ source: source!, target: target!, count: 3, duration: null })),
    starts: [{ activity: "A", count: 3 }],
    ends: [{ activity: "C", count: 3 }],
  };

  it("has exactly the variant's path", () => {
    expect(mapMatchesVariant(restricted, variant)).toEqual([]);
  });

  it("reports what differs", () => {
    const whole = sampleMap();
    const problems = mapMatchesVariant(whole, variant);
    expect(problems).toContain("extra activity E");
    expect(problems).toContain('extra path ["B","C"]');
  });
});
