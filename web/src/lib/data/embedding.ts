/** Embedding scatter maths: normalising, layer-to-layer interpolation, nearest-point hit test. */
import type { EmbeddingPointData } from "../api/types";

export interface XY { x: number; y: number }

/** Map points into the unit square (aspect preserved, centred); keyed by class index. */
export function normalise(points: EmbeddingPointData[]): Map<number, XY> {
  const out = new Map<number, XY>();
  if (points.length === 0) return out;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const p of points) {
    x0 = Math.min(x0, p.x); x1 = Math.max(x1, p.x); y0 = Math.min(y0, p.y); y1 = Math.max(y1, p.y);
  }
  const span = Math.max(x1 - x0, y1 - y0) || 1;
  const ox = (span - (x1 - x0)) / 2, oy = (span - (y1 - y0)) / 2;
  for (const p of points) out.set(p.classIndex, { x: (p.x - x0 + ox) / span, y: (p.y - y0 + oy) / span });
  return out;
}

/** Ease in-out cubic for the minimap animation. */
export function ease(t: number): number {
  const c = Math.min(1, Math.max(0, t));
  return c < 0.5 ? 4 * c * c * c : 1 - (-2 * c + 2) ** 3 / 2;
}

/** Positions between two layers' embeddings at fraction t; points missing from one side stay put. */
export function interpolate(a: Map<number, XY>, b: Map<number, XY>, t: number): Map<number, XY> {
  const out = new Map<number, XY>();
  for (const [k, pb] of b) {
    const pa = a.get(k) ?? pb;
    out.set(k, { x: pa.x + (pb.x - pa.x) * t, y: pa.y + (pb.y - pa.y) * t });
  }
  return out;
}

/** Nearest point within maxDist (same units as the points), or null. */
export function nearest(points: Map<number, XY>, x: number, y: number, maxDist: number): number | null {
  let best: number | null = null, bestD = maxDist;
  for (const [k, p] of points) {
    const d = Math.hypot(p.x - x, p.y - y);
    if (d <= bestD) { bestD = d; best = k; }
  }
  return best;
}
