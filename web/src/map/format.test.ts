import { describe, expect, it } from "vitest";
import { dayToInstant, formatCount, formatDateTime, formatDuration, formatPercent, plural } from "./format";

describe("formatDuration", () => {
  it.each([
    [0, "0 s"],
    [0.4, "0 s"],
    [45, "45 s"],
    [59.4, "59 s"],
    [59.6, "1 min"],
    [180, "3 min"],
    [3599, "1 h"],
    [7200, "2 h"],
    [7500, "2 h 5 min"],
    [86399, "1 d"],
    [3.2 * 86400, "3.2 d"],
    [13.96 * 86400, "2 wk"],
    [14 * 86400, "2 wk"],
    [35 * 86400, "5 wk"],
    [100 * 86400, "14 wk"],
    [1.4 * 365 * 86400, "1.4 y"],
    [12 * 365 * 86400, "12 y"],
    [-90, "-2 min"],
  ])("%s s is %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it("never says NaN", () => {
    for (const bad of [NaN, Infinity, -Infinity, null, undefined]) expect(formatDuration(bad)).toBe("–");
  });

  it("uses at most two units", () => {
    for (let s = 1; s < 5e8; s *= 1.7) expect(formatDuration(s).split(" ").length).toBeLessThanOrEqual(4);
  });
});

describe("counts, percentages, dates", () => {
  it("groups thousands", () => {
    expect(formatCount(13087)).toBe("13,087");
    expect(formatCount(262200)).toBe("262,200");
    expect(formatCount(NaN)).toBe("–");
    expect(plural(1, "case")).toBe("1 case");
    expect(plural(4366, "variant")).toBe("4,366 variants");
  });

  it("keeps the edges of a percentage honest", () => {
    expect(formatPercent(0.38)).toBe("38%");
    expect(formatPercent(0.004)).toBe("<1%");
    expect(formatPercent(0.998)).toBe(">99%");
    expect(formatPercent(1)).toBe("100%");
    expect(formatPercent(0)).toBe("0%");
  });

  it("shows instants in UTC", () => {
    expect(formatDateTime("2024-03-05T14:20:00Z")).toBe("5 Mar 2024, 14:20 UTC");
    expect(formatDateTime("nope")).toBe("–");
    expect(formatDateTime(null)).toBe("–");
  });

  it("turns picked days into a [from, to) window that includes the end day", () => {
    expect(dayToInstant("2024-02-28", "from")).toBe("2024-02-28T00:00:00Z");
    expect(dayToInstant("2024-02-29", "to")).toBe("2024-03-01T00:00:00Z");
    expect(dayToInstant("", "to")).toBeNull();
    expect(dayToInstant("2024-13-45", "from")).toBeNull();
  });
});
