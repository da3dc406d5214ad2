/**
 * The graph the canvas draws, built from a class graph or a comparison of two
 * classes. Pure data shaping; tested in graph.test.ts.
 */
import type { ClassGraphData, ComparisonData, ComparedNodeData, NeuronRef } from "../api/types";

/** Which class(es) a node or edge belongs to; "single" for a plain class graph. */
export type Group = "single" | "shared" | "a" | "b";

export interface ViewNode {
  id: string; layer: string; layerIndex: number; channel: number;
  image: string | null; count: number; pagerank: number; group: Group;
  countA?: number | null; countB?: number | null;
  /** A closed group of neurons drawn as one node (data/groups.ts): its visible members, name and colour. */
  members?: ViewNode[]; name?: string; color?: string;
  /** A closed group's size, drawn members or not (pruning can hide some). */
  size?: number;
}
export interface ViewEdge { src: string; dst: string; weight: number; group: Group; weightA?: number | null; weightB?: number | null }
export interface ViewGraph { nodes: ViewNode[]; edges: ViewEdge[] }

function node(n: Omit<NeuronRef, "image"> & { image?: string | null }, count: number, pagerank: number, group: Group): ViewNode {
  return { id: n.id, layer: n.layer, layerIndex: n.layerIndex, channel: n.channel, image: n.image ?? null, count, pagerank, group };
}

export function fromClassGraph(g: ClassGraphData): ViewGraph {
  return {
    nodes: g.nodes.map((n) => node(n.neuron, n.count, n.pagerank, "single")),
    edges: g.edges.map((e) => ({ src: e.src, dst: e.dst, weight: e.weight, group: "single" as Group })),
  };
}

function compared(list: ComparedNodeData[], group: Group): ViewNode[] {
  return list.map((n) => ({
    ...node(n.neuron, (n.countA ?? 0) + (n.countB ?? 0), Math.max(n.pagerankA ?? 0, n.pagerankB ?? 0), group),
    countA: n.countA, countB: n.countB,
  }));
}

/** Merge a comparison into one graph; edges are "shared" when both classes have them. */
export function fromComparison(c: ComparisonData): ViewGraph {
  const nodes = [...compared(c.shared, "shared"), ...compared(c.onlyA, "a"), ...compared(c.onlyB, "b")];
  const edges: ViewEdge[] = c.edges.map((e) => {
    const a = e.weightA ?? 0, b = e.weightB ?? 0;
    const group: Group = a > 0 && b > 0 ? "shared" : a > 0 ? "a" : "b";
    return { src: e.src, dst: e.dst, weight: Math.max(a, b), group, weightA: e.weightA, weightB: e.weightB };
  });
  return { nodes, edges };
}

/** Ids of the node and its direct neighbours. */
export function neighbourhood(g: ViewGraph, id: string): Set<string> {
  const s = new Set([id]);
  for (const e of g.edges) {
    if (e.src === id) s.add(e.dst);
    else if (e.dst === id) s.add(e.src);
  }
  return s;
}

/** Largest number of nodes in any one layer (the neurons-per-layer slider's maximum). */
export function maxPerLayer(g: ViewGraph): number {
  const counts = new Map<number, number>();
  for (const n of g.nodes) counts.set(n.layerIndex, (counts.get(n.layerIndex) ?? 0) + 1);
  return Math.max(0, ...counts.values());
}

export function maxWeight(g: ViewGraph): number {
  return g.edges.reduce((m, e) => Math.max(m, e.weight), 0);
}

/** Edge keys ("src>dst", both directions) and node ids that lie on any of the given paths. */
export function pathHighlight(paths: { neurons: string[] }[]): { nodes: Set<string>; edges: Set<string> } {
  const nodes = new Set<string>(), edges = new Set<string>();
  for (const p of paths) {
    p.neurons.forEach((id, i) => {
      nodes.add(id);
      if (i > 0) { edges.add(`${p.neurons[i - 1]}>${id}`); edges.add(`${id}>${p.neurons[i - 1]}`); }
    });
  }
  return { nodes, edges };
}

export function edgeKey(e: { src: string; dst: string }): string {
  return `${e.src}>${e.dst}`;
}

/** Count per group, for the compare legend. */
export function groupCounts(g: ViewGraph): Record<Group, number> {
  const c: Record<Group, number> = { single: 0, shared: 0, a: 0, b: 0 };
  for (const n of g.nodes) c[n.group]++;
  return c;
}

/** What the filter sliders need from a graph: its largest layer and heaviest edge. */
export interface GraphRanges { perLayer: number; maxW: number }

export function graphRanges(g: ViewGraph): GraphRanges {
  return { perLayer: maxPerLayer(g), maxW: maxWeight(g) };
}

/**
 * Slider maxima: from the unfiltered graph when it is known, else from the
 * graph shown, and never below the current setting (so its thumb fits).
 */
export function sliderMaxima(full: GraphRanges | null, shown: ViewGraph | null, topN: number | null, minW: number): { perLayer: number; weight: number } {
  return {
    perLayer: Math.max(1, full?.perLayer ?? (shown ? maxPerLayer(shown) : 1), topN ?? 0),
    weight: Math.max(1, full?.maxW ?? (shown ? maxWeight(shown) : 1), minW),
  };
}
