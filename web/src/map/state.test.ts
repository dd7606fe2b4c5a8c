import { describe, expect, it } from "vitest";
import { effectivePaths, readState, writeState } from "./state";

describe("the explorer's URL", () => {
  it("reads defaults from an empty query", () => {
    expect(readState(new URLSearchParams())).toEqual({
      type: null, view: "frequency", metric: "median", activities: 100, paths: null, variants: [], from: "", to: "", tab: "map",
    });
  });

  it("round-trips a bookmarked view", () => {
    const query = writeState(new URLSearchParams(), {
      type: "deal", view: "performance", metric: "p90", activities: 55, paths: 20, variants: [["A", "B"]], from: "2024-01-01", to: "2024-03-31",
    });
    const state = readState(new URLSearchParams(query));
    expect(state).toMatchObject({ type: "deal", view: "performance", metric: "p90", activities: 55, paths: 20, from: "2024-01-01", to: "2024-03-31" });
    expect(state.variants).toEqual([["A", "B"]]);
  });

  it("drops defaults and ignores junk", () => {
    expect(writeState(new URLSearchParams("view=performance&activities=40"), { view: "frequency", activities: 100 })).toBe("");
    const state = readState(new URLSearchParams("metric=max&activities=abc&paths=250&from=yesterday"));
    expect(state).toMatchObject({ metric: "median", activities: 100, paths: 100, from: "" });
  });

  it("draws every path of a small map or of chosen variants, the busiest ~60 of a dense one", () => {
    const fresh = readState(new URLSearchParams());
    expect(effectivePaths(fresh, 8)).toBe(100);
    expect(effectivePaths(fresh, 125)).toBe(48); // BPIC 2012: 60 of 125 paths
    expect(effectivePaths(fresh, 600)).toBe(10);
    const chosen = readState(new URLSearchParams(writeState(new URLSearchParams(), { variants: [["A", "B", "C"]] })));
    expect(effectivePaths(chosen, 125)).toBe(100);
    const narrowed = readState(new URLSearchParams(writeState(new URLSearchParams(), { paths: 30, variants: [["A", "B"]] })));
    expect(effectivePaths(narrowed, 125)).toBe(30); // a moved slider wins
    expect(writeState(new URLSearchParams("paths=30"), { paths: null })).toBe("");
  });
});
