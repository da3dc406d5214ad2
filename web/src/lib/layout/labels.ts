/**
 * Greedy label placement with collision avoidance for scatter plots: labels
 * are taken in priority order, each tries the right side of its point, then
 * the left, and is dropped when both overlap an already placed label (or
 * leave the view). Pure; widths come from the caller (canvas measureText).
 */

export interface LabelCandidate {
  /** Anchor point (screen px) and the point's radius. */
  x: number;
  y: number;
  r: number;
  w: number;
  h: number;
  /** Always placed (selected / hovered class), even when it overlaps. */
  force?: boolean;
}

export interface PlacedLabel { index: number; x: number; y: number; align: "left" | "right"; box: Box }
interface Box { x0: number; y0: number; x1: number; y1: number }

const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/**
 * Place labels in the order given (put forced and important ones first).
 * `view` is the visible box; labels must lie fully inside it unless forced.
 * Returns the placed labels; `x` is the text anchor for `align`.
 */
export function placeLabels(cands: LabelCandidate[], view: Box, gap = 4): PlacedLabel[] {
  const placed: PlacedLabel[] = [];
  // A coarse grid of placed boxes keeps this near O(n) for a few thousand points.
  const cell = 64;
  const grid = new Map<string, Box[]>();
  const cellsOf = (b: Box) => {
    const out: string[] = [];
    for (let cx = Math.floor(b.x0 / cell); cx <= Math.floor(b.x1 / cell); cx++)
      for (let cy = Math.floor(b.y0 / cell); cy <= Math.floor(b.y1 / cell); cy++) out.push(`${cx},${cy}`);
    return out;
  };
  // Neighbouring labels keep `gap` pixels of air between them (side by side) and 1 px above/below.
  const grown = (b: Box): Box => ({ x0: b.x0 - gap, y0: b.y0 - 1, x1: b.x1 + gap, y1: b.y1 + 1 });
  const free = (b: Box) => { const g = grown(b); return cellsOf(g).every((c) => !(grid.get(c) ?? []).some((o) => overlaps(o, g))); };
  const inside = (b: Box) => b.x0 >= view.x0 && b.x1 <= view.x1 && b.y0 >= view.y0 && b.y1 <= view.y1;
  cands.forEach((c, index) => {
    const y0 = c.y - c.h / 2, y1 = c.y + c.h / 2;
    const right: Box = { x0: c.x + c.r + gap, y0, x1: c.x + c.r + gap + c.w, y1 };
    const left: Box = { x0: c.x - c.r - gap - c.w, y0, x1: c.x - c.r - gap, y1 };
    const options: [Box, "left" | "right"][] = [[right, "left"], [left, "right"]];
    let chosen = options.find(([b]) => inside(b) && free(b));
    if (!chosen && c.force) chosen = options.find(([b]) => inside(b)) ?? options[c.x > (view.x0 + view.x1) / 2 ? 1 : 0];
    if (!chosen) return;
    const [box, align] = chosen;
    for (const k of cellsOf(box)) {
      const l = grid.get(k);
      if (l) l.push(box);
      else grid.set(k, [box]);
    }
    placed.push({ index, x: align === "left" ? box.x0 : box.x1, y: c.y, align, box });
  });
  return placed;
}
