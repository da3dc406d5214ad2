import { describe, expect, it } from "vitest";
import type { ViewEdge, ViewGraph, ViewNode } from "./graph";
import { edgeShare, pruneGraph, scores } from "./prune";

function node(id: string, layerIndex: number, pagerank: number): ViewNode {
  return { id, layer: `L${layerIndex}`, layerIndex, channel: 0, image: null, count: 1, pagerank, group: "single" };
}
function edge(src: string, dst: string, weight: number): ViewEdge {
  return { src, dst, weight, group: "single" };
}

/**
 * Worked by hand. Top layer: t1 (PageRank 0.6), t2 (0.2) -> influence 0.75, 0.25.
 * Layer 1: m1 -> t1 (3), m2 -> t1 (1), m2 -> t2 (2), m3 -> t2 (2): m1 0.5625, m2 0.3125, m3 0.125.
 * Layer 0: b1 -> m1 (1), b2 -> m1 (1), b2 -> m3 (4), b3 alone: b1 0.28125, b2 0.40625, b3 0.
 */
const G: ViewGraph = {
  nodes: [node("b1", 0, 0.3), node("b2", 0, 0.1), node("b3", 0, 0.5), node("m1", 1, 0.1), node("m2", 1, 0.2),
    node("m3", 1, 0.4), node("t1", 2, 0.6), node("t2", 2, 0.2)],
  edges: [edge("b1", "m1", 1), edge("b2", "m1", 1), edge("b2", "m3", 4), edge("m1", "t1", 3), edge("m2", "t1", 1),
    edge("m2", "t2", 2), edge("m3", "t2", 2)],
};
const ids = (g: ViewGraph) => g.nodes.map((n) => n.id);
const edges = (g: ViewGraph) => g.edges.map((e) => `${e.src}>${e.dst}`);

describe("influence scores", () => {
  it("flow from the top layer down in proportion to edge weights", () => {
    const s = scores(G, "influence");
    const want = { b1: 0.28125, b2: 0.40625, b3: 0, m1: 0.5625, m2: 0.3125, m3: 0.125, t1: 0.75, t2: 0.25 };
    for (const [id, v] of Object.entries(want)) expect(s.node.get(id), id).toBeCloseTo(v, 12);
    expect(s.edge.get("b2>m3")).toBeCloseTo(0.125);
    expect(s.edge.get("m2>t2")).toBeCloseTo(0.125);
  });
  it("PageRank mode ranks neurons by PageRank", () => {
    expect(scores(G, "pagerank").node.get("b3")).toBe(0.5);
  });
  it("edge share follows circuit-tracer's pair of defaults", () => {
    expect(edgeShare(0.8)).toBeCloseTo(0.98);
    expect(edgeShare(0.5)).toBeCloseTo(0.95);
  });
});

describe("pruneGraph", () => {
  it("keeps per layer the neurons reaching the share of influence, and the edges among them", () => {
    const p = pruneGraph(G, 0.8, "influence");
    expect(ids(p)).toEqual(["b1", "b2", "m1", "m2", "t1", "t2"]);
    expect(edges(p)).toEqual(["b1>m1", "b2>m1", "m1>t1", "m2>t1", "m2>t2"]);
  });
  it("a lower share keeps fewer", () => {
    const p = pruneGraph(G, 0.5, "influence");
    expect(ids(p)).toEqual(["b2", "m1", "t1"]);
    expect(edges(p)).toEqual(["b2>m1", "m1>t1"]);
  });
  it("pinned neurons (and pinned edges between kept ones) always stay", () => {
    const p = pruneGraph(G, 0.5, "influence", new Set(["b1", "b3"]), new Set(["b1>m1"]));
    expect(ids(p)).toEqual(["b1", "b2", "b3", "m1", "t1"]);
    expect(edges(p)).toContain("b1>m1");
  });
  it("edges keep 1 - (1 - p) / 10 of the influence between the kept neurons", () => {
    // All edges of the 0.8 graph carry 1.4375; 0.98 of it needs all five (the last carries 0.125).
    const kept = pruneGraph(G, 0.8, "influence");
    expect(kept.edges).toHaveLength(5);
    // At 0.3 (edges 0.93): nodes b2, m1, t1; edges m1>t1 (0.5625) and b2>m1 (0.28125) of 0.84375 -> both.
    expect(edges(pruneGraph(G, 0.3, "influence"))).toEqual(["b2>m1", "m1>t1"]);
  });
  it("by PageRank", () => {
    expect(ids(pruneGraph(G, 0.5, "pagerank"))).toEqual(["b3", "m3", "t1"]);
  });
  it("share 1 (or more) keeps the graph as it is", () => {
    expect(pruneGraph(G, 1, "influence")).toBe(G);
  });
  it("a layer no influence reaches is ranked by PageRank", () => {
    const cut: ViewGraph = { nodes: [node("x", 0, 0.9), node("y", 0, 0.1), node("t", 1, 1)], edges: [] };
    expect(ids(pruneGraph(cut, 0.5, "influence"))).toEqual(["x", "t"]);
  });
});
