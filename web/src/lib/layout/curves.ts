/** Edge curves (cubic Béziers between rows) and hit-testing. Pure maths. */

export interface Point { x: number; y: number }
export interface Curve { p0: Point; p1: Point; p2: Point; p3: Point }

/** Curve from the top of the lower tile to the bottom of the upper tile (or the reverse), vertical tangents. */
export function edgeCurve(a: Point & { size: number }, b: Point & { size: number }): Curve {
  const [lo, hi] = a.y >= b.y ? [a, b] : [b, a];
  const p0 = { x: lo.x, y: lo.y - lo.size / 2 };
  const p3 = { x: hi.x, y: hi.y + hi.size / 2 };
  const dy = (p0.y - p3.y) / 2;
  return { p0, p1: { x: p0.x, y: p0.y - dy }, p2: { x: p3.x, y: p3.y + dy }, p3 };
}

export function pointOnCurve(c: Curve, t: number): Point {
  const u = 1 - t;
  const a = u * u * u, b = 3 * u * u * t, d = 3 * u * t * t, e = t * t * t;
  return {
    x: a * c.p0.x + b * c.p1.x + d * c.p2.x + e * c.p3.x,
    y: a * c.p0.y + b * c.p1.y + d * c.p2.y + e * c.p3.y,
  };
}

export function distToSegment(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x, dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/** Approximate distance from p to the curve (polyline of `steps` segments). */
export function distToCurve(p: Point, c: Curve, steps = 16): number {
  // Quick reject by bounding box.
  const minX = Math.min(c.p0.x, c.p3.x), maxX = Math.max(c.p0.x, c.p3.x);
  const minY = Math.min(c.p0.y, c.p3.y), maxY = Math.max(c.p0.y, c.p3.y);
  const bx = p.x < minX ? minX - p.x : p.x > maxX ? p.x - maxX : 0;
  const by = p.y < minY ? minY - p.y : p.y > maxY ? p.y - maxY : 0;
  let best = Math.hypot(bx, by);
  if (best > 50) return best;
  best = Infinity;
  let prev = c.p0;
  for (let i = 1; i <= steps; i++) {
    const q = pointOnCurve(c, i / steps);
    best = Math.min(best, distToSegment(p, prev, q));
    prev = q;
  }
  return best;
}

/** Stroke width for an edge weight, sqrt-scaled into [minW, maxW]. */
export function edgeWidth(weight: number, maxWeight: number, minW = 1, maxW = 9): number {
  if (maxWeight <= 0) return minW;
  return minW + (maxW - minW) * Math.sqrt(Math.max(0, weight) / maxWeight);
}

/** An edge with its curve and stroke width, as drawn and hit-tested. */
export interface EdgeCurve<E> { e: E; c: Curve; w: number }

/** Curves of the edges whose both ends are placed; widths scaled to the heaviest edge. */
export function edgeCurves<E extends { src: string; dst: string; weight: number }>(
  edges: readonly E[], nodes: ReadonlyMap<string, Point & { size: number }>,
): EdgeCurve<E>[] {
  const wMax = edges.reduce((m, e) => Math.max(m, e.weight), 0);
  const out: EdgeCurve<E>[] = [];
  for (const e of edges) {
    const a = nodes.get(e.src), b = nodes.get(e.dst);
    if (a && b) out.push({ e, c: edgeCurve(a, b), w: edgeWidth(e.weight, wMax) });
  }
  return out;
}

/** The curve nearest to `p` whose stroke lies within `tol` of it (distance from the stroke's edge), or null. */
export function nearestCurve<C extends { c: Curve; w: number }>(curves: readonly C[], p: Point, tol: number): C | null {
  let best: C | null = null, bestD = Infinity;
  for (const c of curves) {
    const d = distToCurve(p, c.c) - c.w / 2;
    if (d < tol && d < bestD) { bestD = d; best = c; }
  }
  return best;
}
