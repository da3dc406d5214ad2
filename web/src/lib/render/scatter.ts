/**
 * Draws the class embedding: one dot per class, rings on the selected,
 * compared and hovered classes, and their names placed without overlaps
 * (others' names only when zoomed in, or when there are few classes). Also
 * the unit-square <-> screen mapping the scatter's hit-testing shares. Pure
 * drawing into a given context; tested in scatter.test.ts.
 */
import type { XY } from "../data/embedding";
import { placeLabels, type LabelCandidate } from "../layout/labels";
import { toWorld, type Transform } from "../layout/viewport";
import { EMBED_LABEL_ZOOM } from "../config";
import { PALETTE } from "../theme/palette";

/** A square canvas of `size` CSS px; the unit square sits inside a `pad` margin, then zoom/pan applies. */
export interface ScatterView { size: number; pad: number; transform: Transform }

export function toScreen(v: ScatterView, p: XY): [number, number] {
  const scale = v.size - 2 * v.pad, t = v.transform;
  return [(v.pad + p.x * scale) * t.k + t.x, (v.pad + p.y * scale) * t.k + t.y];
}

/** Screen px -> unit-square coordinates (inverse of toScreen). */
export function fromScreen(v: ScatterView, sx: number, sy: number): XY {
  const scale = v.size - 2 * v.pad;
  const [wx, wy] = toWorld(v.transform, sx, sy);
  return { x: (wx - v.pad) / scale, y: (wy - v.pad) / scale };
}

/** Dot radius at zoom k. */
export function dotRadius(k: number): number {
  return Math.min(6, 2.5 * Math.sqrt(k));
}

/** Text widths per font and text (measureText is the costly part of a redraw). */
export class TextWidths {
  private readonly widths = new Map<string, number>();
  width(ctx: Pick<CanvasRenderingContext2D, "font" | "measureText">, font: string, text: string): number {
    const key = `${font}|${text}`;
    let w = this.widths.get(key);
    if (w === undefined) { ctx.font = font; w = ctx.measureText(text).width; this.widths.set(key, w); }
    return w;
  }
}

export interface ScatterScene extends ScatterView {
  dpr: number;
  points: ReadonlyMap<number, XY>;
  names: ReadonlyMap<number, string>;
  hover: number | null;
  selected: number | null;
  compare: number | null;
  /** Class hovered elsewhere (the class list). */
  highlighted: number | null;
  widths: TextWidths;
}

const BOLD = "600 12px system-ui, sans-serif", PLAIN = "11px system-ui, sans-serif";

export function drawScatter(ctx: CanvasRenderingContext2D, s: ScatterScene): void {
  ctx.setTransform(s.dpr, 0, 0, s.dpr, 0, 0);
  ctx.clearRect(0, 0, s.size, s.size);
  const r = dotRadius(s.transform.k);
  ctx.fillStyle = PALETTE.point;
  ctx.globalAlpha = 0.75;
  for (const [, p] of s.points) {
    const [x, y] = toScreen(s, p);
    ctx.beginPath();
    ctx.arc(x, y, r, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.globalAlpha = 1;
  const mark = (k: number | null, color: string, rr: number) => {
    const p = k === null ? undefined : s.points.get(k);
    if (!p) return;
    const [x, y] = toScreen(s, p);
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(x, y, rr, 0, Math.PI * 2);
    ctx.fill();
    ctx.beginPath();
    ctx.arc(x, y, rr + 3, 0, Math.PI * 2);
    ctx.stroke();
  };
  mark(s.compare, PALETTE.onlyB, r + 1);
  mark(s.selected, PALETTE.selectClass, r + 1);
  mark(s.highlighted, PALETTE.accent, r + 1);
  mark(s.hover, PALETTE.accent, r);
  drawScatterLabels(ctx, s, r);
}

/**
 * Labels without overlaps: the hovered / selected / compared / highlighted
 * classes always (bold), the others only when zoomed in (or few classes) and
 * only where they fit beside their point without covering another label.
 */
export function drawScatterLabels(ctx: CanvasRenderingContext2D, s: ScatterScene, r: number): void {
  const keys: number[] = [], bold: boolean[] = [];
  const seen = new Set<number>();
  for (const k of [s.hover, s.selected, s.compare, s.highlighted]) {
    if (k !== null && s.points.has(k) && !seen.has(k)) { keys.push(k); bold.push(true); seen.add(k); }
  }
  if (s.transform.k >= EMBED_LABEL_ZOOM || s.points.size <= 30) {
    for (const [k, p] of s.points) {
      if (seen.has(k)) continue;
      const [x, y] = toScreen(s, p);
      if (x < -10 || x > s.size + 10 || y < -10 || y > s.size + 10) continue;
      keys.push(k); bold.push(false);
    }
  }
  const cands: LabelCandidate[] = keys.map((k, i) => {
    const [x, y] = toScreen(s, s.points.get(k)!);
    const w = s.widths.width(ctx, bold[i] ? BOLD : PLAIN, s.names.get(k) ?? String(k));
    return { x, y, r: bold[i] ? r + 4 : r, w, h: bold[i] ? 14 : 12, force: bold[i] };
  });
  ctx.textBaseline = "middle";
  ctx.lineJoin = "round";
  for (const pl of placeLabels(cands, { x0: 0, y0: 0, x1: s.size, y1: s.size })) {
    const k = keys[pl.index];
    ctx.font = bold[pl.index] ? BOLD : PLAIN;
    ctx.textAlign = pl.align;
    const text = s.names.get(k) ?? String(k);
    ctx.strokeStyle = PALETTE.halo;
    ctx.lineWidth = 3;
    ctx.strokeText(text, pl.x, pl.y);
    ctx.fillStyle = PALETTE.ink;
    ctx.fillText(text, pl.x, pl.y);
  }
}

/** A layer's thumbnail in the minimap: every class as a small square, the selected one larger. */
export function drawMinimap(ctx: CanvasRenderingContext2D, size: number, points: ReadonlyMap<number, XY> | undefined, selected: number | null): void {
  ctx.clearRect(0, 0, size, size);
  ctx.fillStyle = PALETTE.point;
  for (const [k, p] of points ?? []) {
    if (k === selected) continue;
    ctx.fillRect(2 + p.x * (size - 4) - 0.75, 2 + p.y * (size - 4) - 0.75, 1.5, 1.5);
  }
  const s = selected === null ? undefined : points?.get(selected);
  if (s) { ctx.fillStyle = PALETTE.selectClass; ctx.fillRect(2 + s.x * (size - 4) - 2, 2 + s.y * (size - 4) - 2, 4, 4); }
}
