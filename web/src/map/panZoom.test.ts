import { describe, expect, it } from "vitest";
import { fit, MAX_ZOOM, zoomAt } from "./panZoom";

describe("pan and zoom", () => {
  it("zooms around the pointer, keeping that point still", () => {
    const v = zoomAt({ x: 10, y: 20, k: 1 }, 2, 110, 120);
    // The drawing point under the pointer was (100, 100); it stays under the pointer.
    expect((110 - v.x) / v.k).toBeCloseTo(100);
    expect((120 - v.y) / v.k).toBeCloseTo(100);
    expect(zoomAt({ x: 0, y: 0, k: 3 }, 10, 0, 0).k).toBe(MAX_ZOOM);
  });

  it("fits the drawing in the canvas without magnifying small maps much", () => {
    expect(fit(2000, 1000, 1000, 1000)).toEqual({ k: 0.5, x: 0, y: 250 });
    expect(fit(100, 100, 1000, 1000).k).toBe(1.25);
    expect(fit(0, 0, 1000, 1000)).toEqual({ x: 0, y: 0, k: 1 });
  });
});
