/** Zoom/pan transform maths shared by the canvas views. screen = world * k + (x, y). */

export interface Transform { k: number; x: number; y: number }
export interface Bounds { x0: number; y0: number; x1: number; y1: number }

export const IDENTITY: Transform = { k: 1, x: 0, y: 0 };

export function toScreen(t: Transform, wx: number, wy: number): [number, number] {
  return [wx * t.k + t.x, wy * t.k + t.y];
}

export function toWorld(t: Transform, sx: number, sy: number): [number, number] {
  return [(sx - t.x) / t.k, (sy - t.y) / t.k];
}

/** Zoom by `factor` keeping the screen point (px, py) fixed; k clamped to [minK, maxK]. */
export function zoomAt(t: Transform, factor: number, px: number, py: number, minK = 0.05, maxK = 20): Transform {
  const k = Math.min(maxK, Math.max(minK, t.k * factor));
  const f = k / t.k;
  return { k, x: px - (px - t.x) * f, y: py - (py - t.y) * f };
}

export function panBy(t: Transform, dx: number, dy: number): Transform {
  return { k: t.k, x: t.x + dx, y: t.y + dy };
}

/** Transform that fits `b` into a w x h viewport with `pad` pixels margin, never zooming in past maxK. */
export function fitBounds(b: Bounds, w: number, h: number, pad = 24, maxK = 1.5): Transform {
  const bw = Math.max(1e-9, b.x1 - b.x0), bh = Math.max(1e-9, b.y1 - b.y0);
  const k = Math.min(maxK, Math.max(0.01, Math.min((w - 2 * pad) / bw, (h - 2 * pad) / bh)));
  return { k, x: (w - bw * k) / 2 - b.x0 * k, y: (h - bh * k) / 2 - b.y0 * k };
}

/** Compact string form for the URL ("k,x,y" rounded). */
export function formatTransform(t: Transform): string {
  return `${+t.k.toFixed(4)},${Math.round(t.x)},${Math.round(t.y)}`;
}

export function parseTransform(s: string | null): Transform | null {
  if (!s) return null;
  const parts = s.split(",").map(Number);
  if (parts.length !== 3 || parts.some((v) => !Number.isFinite(v)) || parts[0] <= 0) return null;
  return { k: parts[0], x: parts[1], y: parts[2] };
}

export interface ReadableFitOptions {
  /** Screen pixels kept free on the left (the row-label gutter). */
  left: number;
  /** Margin on the other sides. */
  pad: number;
  /** Zoom bounds: never smaller than minK (readability), never larger than maxK. */
  minK: number;
  maxK: number;
}

/**
 * Initial view for a tall layered graph: fit the width (between minK and
 * maxK), content starting right of the `left` gutter (centred in the rest when
 * narrower). When the content is taller than the viewport at that zoom, its top
 * is aligned with the top margin so the output layers show first and the user
 * scrolls down; otherwise it is centred vertically.
 */
export function readableFit(b: Bounds, w: number, h: number, o: ReadableFitOptions): Transform {
  const bw = Math.max(1e-9, b.x1 - b.x0), bh = Math.max(0, b.y1 - b.y0);
  const availW = Math.max(1, w - o.left - o.pad);
  const k = Math.min(o.maxK, Math.max(o.minK, availW / bw));
  const x = o.left + Math.max(0, (availW - bw * k) / 2) - b.x0 * k;
  const tall = bh * k + 2 * o.pad > h;
  const y = tall ? o.pad - b.y0 * k : (h - bh * k) / 2 - b.y0 * k;
  return { k, x, y };
}

/**
 * Scrolling limits: when the content is larger than the viewport along an
 * axis, keep its edges from scrolling past the margins (top/bottom `pad`,
 * left `left`, right `pad`); a smaller axis is left as it is.
 */
export function clampScroll(t: Transform, b: Bounds, w: number, h: number, o: { left: number; pad: number }): Transform {
  const clampAxis = (v: number, lo: number, hi: number) => (lo <= hi ? Math.min(hi, Math.max(lo, v)) : v);
  const tall = (b.y1 - b.y0) * t.k + 2 * o.pad > h;
  const wide = (b.x1 - b.x0) * t.k + o.left + o.pad > w;
  return {
    k: t.k,
    x: wide ? clampAxis(t.x, w - o.pad - b.x1 * t.k, o.left - b.x0 * t.k) : t.x,
    y: tall ? clampAxis(t.y, h - o.pad - b.y1 * t.k, o.pad - b.y0 * t.k) : t.y,
  };
}

/** Smallest pan that brings the world box `b` fully inside the viewport (with `margin`; `left` on the left). */
export function panIntoView(t: Transform, b: Bounds, w: number, h: number, margin: number, left = margin): Transform {
  const shift = (lo: number, hi: number, min: number, max: number) =>
    hi - lo > max - min ? min - lo : lo < min ? min - lo : hi > max ? max - hi : 0;
  const dx = shift(b.x0 * t.k + t.x, b.x1 * t.k + t.x, left, w - margin);
  const dy = shift(b.y0 * t.k + t.y, b.y1 * t.k + t.y, margin, h - margin);
  return { k: t.k, x: t.x + dx, y: t.y + dy };
}
