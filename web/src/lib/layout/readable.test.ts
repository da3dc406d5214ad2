/** Readability of the graph view: row height, tile size, use of the panel width, label gutter, initial view. */
import { describe, expect, it } from "vitest";
import { DEFAULT_LAYOUT, layeredLayout, orderGraph, placeRows, readableMinZoom, type LayoutEdge, type LayoutNode } from "./layered";
import { clampScroll, readableFit, toScreen } from "./viewport";

/** A tall graph like the real demo: 17 layers, 1-3 neurons each, chained edges. */
function tall(layers = 17): { nodes: LayoutNode[]; edges: LayoutEdge[] } {
  const nodes: LayoutNode[] = [];
  const edges: LayoutEdge[] = [];
  for (let l = 0; l < layers; l++) {
    const n = 1 + (l % 3);
    for (let i = 0; i < n; i++) nodes.push({ id: `L${l}:${i}`, layerIndex: l, count: 1 + ((l * 7 + i * 13) % 40) });
    if (l > 0) for (let i = 0; i < n; i++) edges.push({ src: `L${l - 1}:0`, dst: `L${l}:${i}`, weight: 1 + i });
  }
  return { nodes, edges };
}

const FIT = { left: 104, pad: 20, maxK: 1.25 };
const MIN_ROW_PX = 64, MIN_TILE_PX = 32;

describe("row height and tile size", () => {
  it("rows are at least 64 px apart and the smallest tile at least 32 px wide at the readable minimum zoom", () => {
    const k = readableMinZoom(MIN_ROW_PX, MIN_TILE_PX);
    expect(DEFAULT_LAYOUT.rowGap * k).toBeGreaterThanOrEqual(MIN_ROW_PX);
    expect(DEFAULT_LAYOUT.tileMin * k).toBeGreaterThanOrEqual(MIN_TILE_PX);
    // Rows also leave room between the largest tiles (for the neuron name and the curves).
    expect(DEFAULT_LAYOUT.rowGap - DEFAULT_LAYOUT.tileMax).toBeGreaterThanOrEqual(30);
  });
  it("a 17-layer graph is taller than an 800 px panel: the initial view shows the top (output) rows first", () => {
    const { nodes, edges } = tall();
    const layout = layeredLayout(nodes, edges, { width: 900 });
    const k0 = readableMinZoom(MIN_ROW_PX, MIN_TILE_PX);
    const t = readableFit({ x0: 0, y0: 0, x1: layout.width, y1: layout.height }, 1000, 700, { ...FIT, minK: k0 });
    expect(t.k).toBeGreaterThanOrEqual(k0);
    expect(layout.height * t.k).toBeGreaterThan(700);
    // Consecutive rows on screen are >= 64 px apart; the smallest tile >= 32 px.
    for (let r = 1; r < layout.rowY.length; r++) expect(Math.abs(layout.rowY[r] - layout.rowY[r - 1]) * t.k).toBeGreaterThanOrEqual(MIN_ROW_PX);
    for (const p of layout.nodes.values()) expect(p.size * t.k).toBeGreaterThanOrEqual(MIN_TILE_PX);
    // The top row (highest layer) is on screen, the bottom row (input side) is below it, off screen.
    const topRow = layout.rowY.length - 1;
    const [, yTop] = toScreen(t, 0, layout.rowY[topRow]);
    const [, yBottom] = toScreen(t, 0, layout.rowY[0]);
    expect(yTop).toBeGreaterThan(0);
    expect(yTop).toBeLessThan(150);
    expect(yBottom).toBeGreaterThan(700);
  });
  it("a short graph is centred vertically instead", () => {
    const { nodes, edges } = tall(3);
    const layout = layeredLayout(nodes, edges, { width: 900 });
    const t = readableFit({ x0: 0, y0: 0, x1: layout.width, y1: layout.height }, 1000, 700, { ...FIT, minK: 0.8 });
    const [, y0] = toScreen(t, 0, 0), [, y1] = toScreen(t, 0, layout.height);
    expect(y0 - 0).toBeCloseTo(700 - y1, 6);
  });
});

describe("use of the panel width", () => {
  it("spreads a sparse row over the width in equal slots, capped by maxSlot", () => {
    const nodes: LayoutNode[] = [
      { id: "a", layerIndex: 0, count: 1 }, { id: "b", layerIndex: 0, count: 1 }, { id: "c", layerIndex: 0, count: 1 },
      { id: "top", layerIndex: 1, count: 1 },
    ];
    const g = orderGraph(nodes, []);
    const packed = placeRows(g, { width: 0 });
    const spread = placeRows(g, { width: 900, maxSlot: 1000 });
    const capped = placeRows(g, { width: 900, maxSlot: 200 });
    const xs = (l: ReturnType<typeof placeRows>) => g.order[0].map((id) => l.nodes.get(id)!.x);
    const gapOf = (l: ReturnType<typeof placeRows>) => xs(l)[1] - xs(l)[0];
    expect(packed.width).toBeCloseTo(3 * DEFAULT_LAYOUT.tileMax + 2 * DEFAULT_LAYOUT.gap);
    expect(spread.width).toBe(900);
    expect(gapOf(spread)).toBeCloseTo(300);
    expect(xs(spread)[0]).toBeCloseTo(150);
    expect(gapOf(capped)).toBeCloseTo(200);
    expect(gapOf(packed)).toBeLessThan(gapOf(capped));
    // Rows stay centred on the layout width.
    for (const l of [packed, spread, capped]) {
      expect((xs(l)[0] + xs(l)[2]) / 2).toBeCloseTo(l.width / 2);
      expect(l.nodes.get("top")!.x).toBeCloseTo(l.width / 2);
    }
  });
  it("a row too wide for equal slots is packed (no overlaps) and widens the layout", () => {
    const nodes: LayoutNode[] = Array.from({ length: 30 }, (_, i) => ({ id: `n${i}`, layerIndex: 0, count: 1 + i }));
    const l = placeRows(orderGraph(nodes, []), { width: 600 });
    expect(l.width).toBeGreaterThan(600);
    const row = l.order[0].map((id) => l.nodes.get(id)!);
    for (let i = 1; i < row.length; i++) expect(row[i].x - row[i].size / 2).toBeGreaterThanOrEqual(row[i - 1].x + row[i - 1].size / 2);
  });
  it("the initial view fits the width into the panel right of the gutter", () => {
    const { nodes, edges } = tall();
    const layout = layeredLayout(nodes, edges, { width: 1000 - FIT.left - FIT.pad });
    const t = readableFit({ x0: 0, y0: 0, x1: layout.width, y1: layout.height }, 1000, 700, { ...FIT, minK: 0.8 });
    expect(t.k).toBeCloseTo(1);
    expect(toScreen(t, layout.width, 0)[0]).toBeCloseTo(1000 - FIT.pad);
  });
});

describe("label gutter", () => {
  it("every tile lies right of x = 0 and the initial view keeps x = 0 right of the gutter", () => {
    for (const width of [0, 400, 1200]) {
      const { nodes, edges } = tall();
      const layout = layeredLayout(nodes, edges, { width });
      for (const p of layout.nodes.values()) expect(p.x - p.size / 2).toBeGreaterThanOrEqual(0);
      for (const w of [500, 1000, 1600]) {
        const t = readableFit({ x0: 0, y0: 0, x1: layout.width, y1: layout.height }, w, 700, { ...FIT, minK: 0.8 });
        for (const p of layout.nodes.values()) expect(toScreen(t, p.x - p.size / 2, 0)[0]).toBeGreaterThanOrEqual(FIT.left - 1e-9);
      }
    }
  });
});

describe("clampScroll", () => {
  const b = { x0: 0, y0: 0, x1: 500, y1: 2000 };
  const o = { left: 104, pad: 20 };
  it("stops a tall graph at its top and bottom", () => {
    expect(clampScroll({ k: 1, x: 104, y: 500 }, b, 1000, 700, o).y).toBe(20);
    expect(clampScroll({ k: 1, x: 104, y: -5000 }, b, 1000, 700, o).y).toBe(700 - 20 - 2000);
    expect(clampScroll({ k: 1, x: 104, y: -300 }, b, 1000, 700, o).y).toBe(-300);
  });
  it("leaves an axis that fits alone; clamps a wide one to the gutter", () => {
    expect(clampScroll({ k: 1, x: 333, y: 0 }, b, 1000, 700, o).x).toBe(333);
    expect(clampScroll({ k: 0.2, x: 0, y: 999 }, b, 1000, 700, o).y).toBe(999);
    expect(clampScroll({ k: 3, x: 300, y: 0 }, b, 1000, 700, o).x).toBe(104);
  });
});
