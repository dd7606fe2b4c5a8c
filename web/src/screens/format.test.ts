import { describe, expect, it } from "vitest";
import { absoluteTime, duration, formatBytes, percent, ratio, relativeTime, secondsUntil } from "./format";

const NOW = Date.parse("2026-03-01T12:00:00Z");

describe("relativeTime", () => {
  it("says just now within 45 seconds", () => {
    expect(relativeTime("2026-03-01T11:59:30Z", NOW, "en")).toBe("just now");
    expect(relativeTime(NOW, NOW, "en")).toBe("just now");
  });
  it("counts minutes, hours and days, past and future", () => {
    expect(relativeTime("2026-03-01T11:57:00Z", NOW, "en")).toBe("3 minutes ago");
    expect(relativeTime("2026-03-01T14:00:00Z", NOW, "en")).toBe("in 2 hours");
    expect(relativeTime("2026-02-28T12:00:00Z", NOW, "en")).toBe("yesterday");
    expect(relativeTime("2026-02-20T12:00:00Z", NOW, "en")).toBe("last week");
  });
  it("speaks the reader's language", () => {
    expect(relativeTime("2026-03-01T11:57:00Z", NOW, "de")).toBe("vor 3 Minuten");
  });
  it("gives nothing for a time it cannot read", () => {
    expect(relativeTime("not a time", NOW, "en")).toBe("");
    expect(absoluteTime("not a time", "en")).toBe("");
  });
});

describe("absoluteTime", () => {
  it("formats in the given locale and time zone", () => {
    expect(absoluteTime("2026-03-01T12:00:00Z", "en-GB", "UTC")).toBe("1 Mar 2026, 12:00");
  });
});

describe("progress arithmetic", () => {
  it("is a ratio in [0, 1] when the total is known", () => {
    expect(ratio(50, 200)).toBe(0.25);
    expect(ratio(300, 200)).toBe(1);
    expect(ratio(-1, 200)).toBe(0);
  });
  it("is unknown (an indeterminate bar) without a total", () => {
    expect(ratio(10, 0)).toBeNull();
    expect(ratio(10, null)).toBeNull();
    expect(ratio(10, undefined)).toBeNull();
    expect(ratio(Number.NaN, 10)).toBeNull();
  });
  it("shows percentages", () => {
    expect(percent(0.255, "en")).toBe("26%");
    expect(percent(null)).toBe("");
  });
});

describe("sizes and waits", () => {
  it("formats bytes", () => {
    expect(formatBytes(1, "en")).toBe("1 byte");
    expect(formatBytes(512, "en")).toBe("512 bytes");
    expect(formatBytes(1536, "en")).toBe("1.5 KB");
    expect(formatBytes(200 * 1024 * 1024, "en")).toBe("200 MB");
  });
  it("counts down to a time and says a wait in words", () => {
    expect(secondsUntil("2026-03-01T12:05:00Z", NOW)).toBe(300);
    expect(secondsUntil("2026-03-01T11:00:00Z", NOW)).toBe(0);
    expect(secondsUntil(null, NOW)).toBe(0);
    expect(duration(1)).toBe("1 second");
    expect(duration(42)).toBe("42 seconds");
    expect(duration(300)).toBe("5 minutes");
    expect(duration(7200)).toBe("2 hours");
    expect(duration(3 * 86400)).toBe("3 days");
  });
});
