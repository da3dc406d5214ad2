import { describe, expect, it } from "vitest";
import {
  countCrossings, countInversions, groupRows, layeredLayout, minimiseCrossings, reorderRow, tileSizes, transpose,
  type LayoutEdge, type LayoutNode,
} from "./layered";

/** Fixture: 3 layers; file order puts each neuron far from the neurons it connects to. */
function fixture(): { nodes: LayoutNode[]; edges: LayoutEdge[] } {
  const nodes: LayoutNode[] = [];
  const rows = [["a0", "a1", "a2", "a3"], ["b0", "b1", "b2", "b3"], ["c0", "c1", "c2"]];
  rows.forEach((ids, layer) => ids.forEach((id, i) => nodes.push({ id, layerIndex: layer, count: 10 + i })));
  const edges: LayoutEdge[] = [
    { src: "a0", dst: "b3", weight: 5 }, { src: "a1", dst: "b2", weight: 4 },
    { src: "a2", dst: "b1", weight: 3 }, { src: "a3", dst: "b0", weight: 2 },
    { src: "a0", dst: "b2", weight: 1 },
    { src: "b0", dst: "c2", weight: 5 }, { src: "b1", dst: "c2", weight: 2 },
    { src: "b2", dst: "c0", weight: 3 }, { src: "b3", dst: "c1", weight: 3 },
  ];
  return { nodes, edges };
}

describe("countInversions", () => {
  it("counts pairs out of order", () => {
    expect(countInversions([])).toBe(0);
    expect(countInversions([1, 2, 3])).toBe(0);
    expect(countInversions([3, 2, 1])).toBe(3);
    expect(countInversions([2, 4, 1, 3, 5])).toBe(3);
  });
  it("matches the O(n^2) definition on random input", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 20; trial++) {
      const xs = Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 10));
      let brute = 0;
      for (let i = 0; i < xs.length; i++) for (let j = i + 1; j < xs.length; j++) if (xs[i] > xs[j]) brute++;
      expect(countInversions(xs)).toBe(brute);
    }
  });
});

describe("countCrossings", () => {
  it("two edges crossing between two rows", () => {
    const order = [["a", "b"], ["c", "d"]];
    expect(countCrossings(order, [{ src: "a", dst: "d", weight: 1 }, { src: "b", dst: "c", weight: 1 }])).toBe(1);
    expect(countCrossings(order, [{ src: "a", dst: "c", weight: 1 }, { src: "b", dst: "d", weight: 1 }])).toBe(0);
  });
  it("edges sharing an endpoint do not cross; direction does not matter", () => {
    const order = [["a", "b"], ["c", "d"]];
    expect(countCrossings(order, [{ src: "a", dst: "c", weight: 1 }, { src: "a", dst: "d", weight: 1 }])).toBe(0);
    expect(countCrossings(order, [{ src: "d", dst: "a", weight: 1 }, { src: "c", dst: "b", weight: 1 }])).toBe(1);
  });
  it("the fixture's file order has crossings", () => {
    const { nodes, edges } = fixture();
    expect(countCrossings(groupRows(nodes).order, edges)).toBe(12);
  });
});

describe("groupRows", () => {
  it("orders rows by layer index and keeps file order inside rows", () => {
    const { order, rowLayers } = groupRows([
      { id: "x", layerIndex: 3, count: 1 }, { id: "y", layerIndex: 1, count: 1 }, { id: "z", layerIndex: 3, count: 1 },
    ]);
    expect(rowLayers).toEqual([1, 3]);
    expect(order).toEqual([["y"], ["x", "z"]]);
  });
});

describe("reorderRow", () => {
  it("sorts by neighbour barycenter", () => {
    const nbrs = new Map([["p", [{ id: "f2", w: 1 }]], ["q", [{ id: "f0", w: 1 }]]]);
    expect(reorderRow(["p", "q"], ["f0", "f1", "f2"], nbrs)).toEqual(["q", "p"]);
  });
});

describe("minimiseCrossings / layeredLayout", () => {
  it("has fewer crossings than file order on the fixture graph", () => {
    const { nodes, edges } = fixture();
    const layout = layeredLayout(nodes, edges);
    expect(layout.fileOrderCrossings).toBe(12);
    expect(layout.crossings).toBeLessThan(layout.fileOrderCrossings);
    expect(layout.crossings).toBe(countCrossings(layout.order, edges));
    expect(layout.crossings).toBeLessThanOrEqual(1);
  });
  it("never returns an order worse than the input and keeps every node", () => {
    const { nodes, edges } = fixture();
    const start = groupRows(nodes).order;
    const out = minimiseCrossings(start, edges, 5);
    expect(out.map((r) => r.slice().sort())).toEqual(start.map((r) => r.slice().sort()));
    expect(countCrossings(out, edges)).toBeLessThanOrEqual(countCrossings(start, edges));
  });
  it("puts the input side (lowest layer) at the bottom and keeps tiles in a row apart", () => {
    const { nodes, edges } = fixture();
    const layout = layeredLayout(nodes, edges);
    const a0 = layout.nodes.get("a0")!, c0 = layout.nodes.get("c0")!;
    expect(a0.y).toBeGreaterThan(c0.y);
    for (const row of layout.order) {
      for (let i = 1; i < row.length; i++) {
        const p = layout.nodes.get(row[i - 1])!, q = layout.nodes.get(row[i])!;
        expect(q.x - q.size / 2).toBeGreaterThanOrEqual(p.x + p.size / 2);
      }
    }
  });
  it("handles an empty graph and a graph without edges", () => {
    expect(layeredLayout([], []).nodes.size).toBe(0);
    const l = layeredLayout([{ id: "n", layerIndex: 0, count: 3 }], []);
    expect(l.nodes.get("n")).toBeDefined();
    expect(l.crossings).toBe(0);
  });
  it("scales to 500 nodes quickly", () => {
    let seed = 3;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const nodes: LayoutNode[] = [];
    for (let l = 0; l < 9; l++) for (let i = 0; i < 56; i++) nodes.push({ id: `l${l}:${i}`, layerIndex: l, count: 1 + i });
    const edges: LayoutEdge[] = [];
    for (let l = 1; l < 9; l++) for (let i = 0; i < 56; i++) for (let e = 0; e < 3; e++)
      edges.push({ src: `l${l - 1}:${Math.floor(rnd() * 56)}`, dst: `l${l}:${i}`, weight: 1 + Math.floor(rnd() * 9) });
    const t0 = performance.now();
    const layout = layeredLayout(nodes, edges);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(layout.nodes.size).toBe(504);
    expect(layout.crossings).toBeLessThan(layout.fileOrderCrossings);
  });
});

describe("tileSizes", () => {
  it("maps the largest count to tileMax and grows with count", () => {
    const s = tileSizes([{ id: "a", layerIndex: 0, count: 0 }, { id: "b", layerIndex: 0, count: 25 }, { id: "c", layerIndex: 0, count: 100 }], 10, 50);
    expect(s.get("a")).toBe(10);
    expect(s.get("b")).toBe(30);
    expect(s.get("c")).toBe(50);
  });
});

describe("transpose", () => {
  it("swaps neighbours to remove a crossing and never adds any", () => {
    const order = [["a", "b"], ["c", "d"]];
    const edges = [{ src: "a", dst: "d", weight: 1 }, { src: "b", dst: "c", weight: 1 }];
    const out = transpose(order, edges);
    expect(countCrossings(out, edges)).toBe(0);
    const { nodes, edges: fx } = fixture();
    const start = groupRows(nodes).order;
    expect(countCrossings(transpose(start, fx), fx)).toBeLessThanOrEqual(countCrossings(start, fx));
  });
  it("improves on barycenter sweeps alone for a random layered graph", () => {
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const nodes: LayoutNode[] = [];
    for (let l = 0; l < 5; l++) for (let i = 0; i < 15; i++) nodes.push({ id: `l${l}:${i}`, layerIndex: l, count: 1 });
    const edges: LayoutEdge[] = [];
    for (let l = 1; l < 5; l++) for (let i = 0; i < 15; i++) for (let e = 0; e < 2; e++)
      edges.push({ src: `l${l - 1}:${Math.floor(rnd() * 15)}`, dst: `l${l}:${i}`, weight: 1 });
    const swept = minimiseCrossings(groupRows(nodes).order, edges, 12);
    const both = transpose(swept, edges);
    expect(countCrossings(both, edges)).toBeLessThanOrEqual(countCrossings(swept, edges));
    expect(layeredLayout(nodes, edges).crossings).toBe(countCrossings(both, edges));
  });
});
