// Viewport arithmetic for the map's pan and zoom (pure; the view applies it as a transform).
export interface Viewport {
  x: number;
  y: number;
  k: number;
}

export const MIN_ZOOM = 0.08;
export const MAX_ZOOM = 4;

/** Zooms by `factor` keeping the point (px, py) of the canvas still. */
export function zoomAt(v: Viewport, factor: number, px: number, py: number): Viewport {
  const k = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, v.k * factor));
  const ratio = k / v.k;
  return { k, x: px - (px - v.x) * ratio, y: py - (py - v.y) * ratio };
}

/** The whole drawing centred in a canvas of the given size, never magnified past 1.25×. */
export function fit(width: number, height: number, canvasWidth: number, canvasHeight: number): Viewport {
  if (width <= 0 || height <= 0 || canvasWidth <= 0 || canvasHeight <= 0) return { x: 0, y: 0, k: 1 };
  const k = Math.min(1.25, Math.max(MIN_ZOOM, Math.min(canvasWidth / width, canvasHeight / height)));
  return { k, x: (canvasWidth - width * k) / 2, y: Math.max(0, (canvasHeight - height * k) / 2) };
}
