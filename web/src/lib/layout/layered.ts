/**
 * Layered ("Sugiyama"-style) layout for attribution graphs: one row per
 * layer, input side at the bottom, node order chosen by barycenter sweeps to
 * reduce edge crossings. Pure functions; no DOM.
 */

export interface LayoutNode { id: string; layerIndex: number; count: number }
export interface LayoutEdge { src: string; dst: string; weight: number }

export interface LayoutOptions {
  /** Vertical distance between row centres (world units; 1 world unit = 1 screen px at zoom 1). */
  rowGap: number;
  /** Smallest horizontal gap between neighbouring tiles. */
  gap: number;
  /** Tile side for the smallest and largest count. */
  tileMin: number;
  tileMax: number;
  /** Maximum number of down+up sweep pairs. */
  sweeps: number;
  /**
   * Width (world units) to spread each row over; 0 packs rows tightly. A row
   * narrower than this gets one equal slot per node, but never wider than
   * `maxSlot`, so a 2-neuron row is not torn to the panel's edges.
   */
  width: number;
  /** Largest distance between neighbouring tile centres when spreading. */
  maxSlot: number;
}

export const DEFAULT_LAYOUT: LayoutOptions = { rowGap: 116, gap: 14, tileMin: 40, tileMax: 76, sweeps: 12, width: 0, maxSlot: 260 };

export interface PlacedNode { id: string; row: number; x: number; y: number; size: number }

export interface Layout {
  /** Node ids per row, row 0 = lowest layer (drawn at the bottom). */
  order: string[][];
  /** Layer index of each row. */
  rowLayers: number[];
  /** Row centre y of each row (world units, y grows downwards). */
  rowY: number[];
  nodes: Map<string, PlacedNode>;
  width: number;
  height: number;
  crossings: number;
  fileOrderCrossings: number;
}

/** Group node ids into rows by layer index (ascending), keeping input order inside a row. */
export function groupRows(nodes: LayoutNode[]): { order: string[][]; rowLayers: number[] } {
  const byLayer = new Map<number, string[]>();
  for (const n of nodes) {
    const row = byLayer.get(n.layerIndex);
    if (row) row.push(n.id);
    else byLayer.set(n.layerIndex, [n.id]);
  }
  const rowLayers = [...byLayer.keys()].sort((a, b) => a - b);
  return { order: rowLayers.map((l) => byLayer.get(l) ?? []), rowLayers };
}

function positions(order: string[][]): Map<string, { row: number; pos: number }> {
  const m = new Map<string, { row: number; pos: number }>();
  order.forEach((ids, row) => ids.forEach((id, pos) => m.set(id, { row, pos })));
  return m;
}

/** Edges between consecutive rows as [lowerRow, lowerPos, upperPos] (direction-agnostic). */
function adjacentEdges(order: string[][], edges: LayoutEdge[]): [number, number, number][] {
  const pos = positions(order);
  const out: [number, number, number][] = [];
  for (const e of edges) {
    const a = pos.get(e.src);
    const b = pos.get(e.dst);
    if (!a || !b || Math.abs(a.row - b.row) !== 1) continue;
    const [lo, hi] = a.row < b.row ? [a, b] : [b, a];
    out.push([lo.row, lo.pos, hi.pos]);
  }
  return out;
}

/** Number of inversions in `xs` (merge sort, O(n log n)). */
export function countInversions(xs: number[]): number {
  const a = xs.slice();
  const tmp = new Array<number>(a.length);
  let inv = 0;
  for (let width = 1; width < a.length; width *= 2) {
    for (let lo = 0; lo < a.length - width; lo += 2 * width) {
      const mid = lo + width;
      const hi = Math.min(lo + 2 * width, a.length);
      let i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        if (a[i] <= a[j]) tmp[k++] = a[i++];
        else { tmp[k++] = a[j++]; inv += mid - i; }
      }
      while (i < mid) tmp[k++] = a[i++];
      while (j < hi) tmp[k++] = a[j++];
      for (let t = lo; t < hi; t++) a[t] = tmp[t];
    }
  }
  return inv;
}

/**
 * Count edge crossings between consecutive rows for the given order. Two
 * edges cross when their lower ends and upper ends are in opposite order;
 * edges sharing an end never cross.
 */
export function countCrossings(order: string[][], edges: LayoutEdge[]): number {
  const byRow = new Map<number, [number, number][]>();
  for (const [row, lo, hi] of adjacentEdges(order, edges)) {
    const list = byRow.get(row);
    if (list) list.push([lo, hi]);
    else byRow.set(row, [[lo, hi]]);
  }
  let total = 0;
  for (const list of byRow.values()) {
    list.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    total += countInversions(list.map((p) => p[1]));
  }
  return total;
}

/** Weighted neighbour lists (undirected) restricted to the rows given. */
function neighbourMap(edges: LayoutEdge[]): Map<string, { id: string; w: number }[]> {
  const m = new Map<string, { id: string; w: number }[]>();
  const add = (a: string, b: string, w: number) => {
    const l = m.get(a);
    if (l) l.push({ id: b, w });
    else m.set(a, [{ id: b, w }]);
  };
  for (const e of edges) {
    const w = Math.max(1, e.weight);
    add(e.src, e.dst, w);
    add(e.dst, e.src, w);
  }
  return m;
}

/** Reorder one row by the weighted barycenter of its neighbours in the fixed row. Stable for ties/no neighbours. */
export function reorderRow(row: string[], fixed: string[], nbrs: Map<string, { id: string; w: number }[]>): string[] {
  const fixedPos = new Map(fixed.map((id, i) => [id, i]));
  const keyed = row.map((id, i) => {
    let s = 0, w = 0;
    for (const n of nbrs.get(id) ?? []) {
      const p = fixedPos.get(n.id);
      if (p !== undefined) { s += p * n.w; w += n.w; }
    }
    // Nodes without neighbours keep their relative position (scaled to the fixed row).
    const scaled = row.length > 1 ? (i * Math.max(fixed.length - 1, 0)) / (row.length - 1) : 0;
    return { id, key: w > 0 ? s / w : scaled, i };
  });
  keyed.sort((a, b) => a.key - b.key || a.i - b.i);
  return keyed.map((k) => k.id);
}

/** Barycenter sweeps (up, then down) keeping the order with the fewest crossings. */
export function minimiseCrossings(order: string[][], edges: LayoutEdge[], sweeps: number): string[][] {
  const nbrs = neighbourMap(edges);
  let best = order.map((r) => r.slice());
  let bestC = countCrossings(best, edges);
  let cur = best.map((r) => r.slice());
  for (let s = 0; s < sweeps && bestC > 0; s++) {
    for (let r = 1; r < cur.length; r++) cur[r] = reorderRow(cur[r], cur[r - 1], nbrs);
    for (let r = cur.length - 2; r >= 0; r--) cur[r] = reorderRow(cur[r], cur[r + 1], nbrs);
    const c = countCrossings(cur, edges);
    if (c < bestC) { bestC = c; best = cur.map((row) => row.slice()); }
    else if (s > 0) break;
  }
  return best;
}

/** Pairs (a, b), a from `as` and b from `bs` (both sorted ascending), with a > b. O(|as| + |bs|). */
function pairsAbove(as: number[], bs: number[]): number {
  let c = 0, j = 0;
  for (const a of as) {
    while (j < bs.length && bs[j] < a) j++;
    c += j;
  }
  return c;
}

/**
 * Transpose heuristic: swap neighbouring nodes of a row while that lowers the
 * crossings with the rows above and below. Never increases the total.
 */
export function transpose(order: string[][], edges: LayoutEdge[], maxPasses = 8): string[][] {
  const nbrs = neighbourMap(edges);
  const out = order.map((r) => r.slice());
  for (let pass = 0; pass < maxPasses; pass++) {
    let improved = false;
    for (let r = 0; r < out.length; r++) {
      const adj = [out[r - 1], out[r + 1]].filter((x): x is string[] => !!x).map((row) => new Map(row.map((id, i) => [id, i])));
      const row = out[r];
      // Sorted neighbour positions in each adjacent row; unaffected by swaps inside this row.
      const np = new Map(row.map((id) => [id, adj.map((pos) =>
        (nbrs.get(id) ?? []).map((n) => pos.get(n.id)).filter((p): p is number => p !== undefined).sort((x, y) => x - y))]));
      for (let i = 0; i + 1 < row.length; i++) {
        const u = np.get(row[i])!, v = np.get(row[i + 1])!;
        let before = 0, after = 0;
        for (let k = 0; k < adj.length; k++) { before += pairsAbove(u[k], v[k]); after += pairsAbove(v[k], u[k]); }
        if (after < before) { [row[i], row[i + 1]] = [row[i + 1], row[i]]; improved = true; }
      }
    }
    if (!improved) break;
  }
  return out;
}

/** Tile side per node: area proportional to count, between tileMin and tileMax. */
export function tileSizes(nodes: LayoutNode[], tileMin: number, tileMax: number): Map<string, number> {
  const max = Math.max(1, ...nodes.map((n) => n.count));
  return new Map(nodes.map((n) => [n.id, tileMin + (tileMax - tileMin) * Math.sqrt(Math.max(0, n.count) / max)]));
}

/** Rows in crossing-reduced order (the expensive part; independent of the panel size). */
export interface OrderedGraph {
  order: string[][];
  rowLayers: number[];
  sizes: Map<string, number>;
  crossings: number;
  fileOrderCrossings: number;
}

export function orderGraph(nodes: LayoutNode[], edges: LayoutEdge[], opts: Partial<LayoutOptions> = {}): OrderedGraph {
  const o = { ...DEFAULT_LAYOUT, ...opts };
  const { order: fileOrder, rowLayers } = groupRows(nodes);
  const fileOrderCrossings = countCrossings(fileOrder, edges);
  const order = transpose(minimiseCrossings(fileOrder, edges, o.sweeps), edges);
  return { order, rowLayers, sizes: tileSizes(nodes, o.tileMin, o.tileMax), crossings: countCrossings(order, edges), fileOrderCrossings };
}

/**
 * Positions for an ordered graph (cheap; redone when the panel resizes).
 * Row 0 (input side) is at the bottom; every tile lies inside x >= 0, so a
 * label gutter left of x = 0 never overlaps a node. Each row is centred on
 * the layout's width; rows narrower than `opts.width` are spread over it.
 */
export function placeRows(g: OrderedGraph, opts: Partial<LayoutOptions> = {}): Layout {
  const o = { ...DEFAULT_LAYOUT, ...opts };
  const size = (id: string) => g.sizes.get(id) ?? o.tileMin;
  const tight = g.order.map((ids) => ids.reduce((w, id) => w + size(id), 0) + o.gap * Math.max(0, ids.length - 1));
  const width = Math.max(0, o.width, ...tight);
  const nRows = g.order.length;
  const top = o.tileMax / 2;
  const rowY = g.order.map((_, r) => (nRows - 1 - r) * o.rowGap + top);
  const placed = new Map<string, PlacedNode>();
  g.order.forEach((ids, r) => {
    const n = ids.length;
    // Equal slots when they are wide enough for every tile of the row, else tight packing.
    const slot = n > 0 ? Math.min(o.maxSlot, width / n) : 0;
    const fitsSlots = ids.every((id) => size(id) + o.gap <= slot + 1e-9);
    if (fitsSlots) {
      const x0 = (width - slot * n) / 2;
      ids.forEach((id, i) => placed.set(id, { id, row: r, x: x0 + slot * (i + 0.5), y: rowY[r], size: size(id) }));
    } else {
      let x = (width - tight[r]) / 2;
      for (const id of ids) {
        placed.set(id, { id, row: r, x: x + size(id) / 2, y: rowY[r], size: size(id) });
        x += size(id) + o.gap;
      }
    }
  });
  return {
    order: g.order, rowLayers: g.rowLayers, rowY, nodes: placed, width,
    height: nRows > 0 ? (nRows - 1) * o.rowGap + o.tileMax : 0,
    crossings: g.crossings, fileOrderCrossings: g.fileOrderCrossings,
  };
}

/** Full layout: rows, crossing-reduced order, positions. */
export function layeredLayout(nodes: LayoutNode[], edges: LayoutEdge[], opts: Partial<LayoutOptions> = {}): Layout {
  return placeRows(orderGraph(nodes, edges, opts), opts);
}

/**
 * Smallest zoom at which rows are at least `minRowPx` apart and the smallest
 * tile is at least `minTilePx` wide on screen.
 */
export function readableMinZoom(minRowPx: number, minTilePx: number, opts: Partial<LayoutOptions> = {}): number {
  const o = { ...DEFAULT_LAYOUT, ...opts };
  return Math.max(minRowPx / o.rowGap, minTilePx / o.tileMin);
}
