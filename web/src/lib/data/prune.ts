/**
 * Pruning a class graph in the browser, from the graph already loaded (no
 * request): keep, per layer, the neurons that carry the given share of the
 * layer's influence (or PageRank) mass, then the edges that carry a larger
 * share of the influence flowing between the kept neurons, as circuit-tracer's
 * pruning does (its defaults keep 80 % of node and 98 % of edge influence; one
 * slider here: edges keep 1 - (1 - p) / 10, so 0.8 -> 0.98).
 *
 * Influence runs from the top layer (the class's output side) down: a top-layer
 * neuron's influence is its share of the top layer's PageRank; a neuron passes
 * its influence to its inputs in proportion to their edge weights; a neuron's
 * influence is what reaches it over all paths. A neuron with no path to the top
 * layer has none. Pinned neurons (and pinned edges between kept neurons) are
 * always kept. Pure; O(E log E). Tested in prune.test.ts.
 */
import { edgeKey, type ViewEdge, type ViewGraph, type ViewNode } from "./graph";
import type { PruneBy } from "../state/url";

export interface Scores {
  /** Neuron id -> its influence (or PageRank). */
  node: Map<string, number>;
  /** edgeKey -> the influence flowing through the edge. */
  edge: Map<string, number>;
}

/** Edge share for a node share `p`: 0.8 -> 0.98 (circuit-tracer's pair of defaults). */
export function edgeShare(p: number): number {
  return 1 - (1 - p) / 10;
}

/** Influence (or PageRank) of every neuron and the influence flowing through every edge. */
export function scores(g: ViewGraph, by: PruneBy): Scores {
  const layerOf = new Map(g.nodes.map((n) => [n.id, n.layerIndex]));
  const top = Math.max(-Infinity, ...g.nodes.map((n) => n.layerIndex));
  const inputs = new Map<string, ViewEdge[]>();
  for (const e of g.edges) {
    if (!layerOf.has(e.src) || !layerOf.has(e.dst)) continue;
    const list = inputs.get(e.dst);
    if (list) list.push(e); else inputs.set(e.dst, [e]);
  }
  const node = new Map<string, number>();
  if (by === "pagerank") for (const n of g.nodes) node.set(n.id, n.pagerank);
  else {
    const tops = g.nodes.filter((n) => n.layerIndex === top);
    const mass = tops.reduce((s, n) => s + n.pagerank, 0);
    for (const n of g.nodes) node.set(n.id, 0);
    for (const n of tops) node.set(n.id, mass > 0 ? n.pagerank / mass : 1 / tops.length);
  }
  const edge = new Map<string, number>();
  const byLayerDown = [...g.nodes].sort((a, b) => b.layerIndex - a.layerIndex);
  for (const d of byLayerDown) {
    const ins = inputs.get(d.id);
    if (!ins) continue;
    const total = ins.reduce((s, e) => s + Math.max(0, e.weight), 0);
    if (total <= 0) continue;
    const flow = node.get(d.id) ?? 0;
    for (const e of ins) {
      const through = (flow * Math.max(0, e.weight)) / total;
      edge.set(edgeKey(e), through);
      if (by === "influence") node.set(e.src, (node.get(e.src) ?? 0) + through);
    }
  }
  return { node, edge };
}

/** The smallest prefix of `items` (sorted by score, descending) whose score reaches `share` of the total. */
function keepByMass<T>(items: T[], score: (x: T) => number, share: number): T[] {
  const total = items.reduce((s, x) => s + score(x), 0);
  if (total <= 0) return items;
  const out: T[] = [];
  let sum = 0;
  for (const x of items) {
    if (sum >= share * total - 1e-12) break;
    out.push(x);
    sum += score(x);
  }
  return out;
}

/**
 * The graph pruned to `share` of each layer's mass (see the module comment).
 * `share` >= 1 keeps everything. Node and edge order are kept.
 */
export function pruneGraph(g: ViewGraph, share: number, by: PruneBy, keep: ReadonlySet<string> = new Set(), keepEdges: ReadonlySet<string> = new Set()): ViewGraph {
  if (!(share < 1)) return g;
  const s = scores(g, by);
  const score = (n: ViewNode) => s.node.get(n.id) ?? 0;
  const layers = new Map<number, ViewNode[]>();
  for (const n of g.nodes) {
    const list = layers.get(n.layerIndex);
    if (list) list.push(n); else layers.set(n.layerIndex, [n]);
  }
  const kept = new Set<string>(keep);
  for (const nodes of layers.values()) {
    const total = nodes.reduce((t, n) => t + score(n), 0);
    // A layer no influence reaches (cut off from the top) is ranked by PageRank instead.
    const rank = total > 0 ? score : (n: ViewNode) => n.pagerank;
    const sorted = [...nodes].sort((a, b) => rank(b) - rank(a) || b.pagerank - a.pagerank || (a.id < b.id ? -1 : 1));
    for (const n of keepByMass(sorted, rank, share)) kept.add(n.id);
  }
  const between = g.edges.filter((e) => kept.has(e.src) && kept.has(e.dst));
  const edgeScore = (e: ViewEdge) => s.edge.get(edgeKey(e)) ?? 0;
  const sortedEdges = [...between].sort((a, b) => edgeScore(b) - edgeScore(a) || b.weight - a.weight || (edgeKey(a) < edgeKey(b) ? -1 : 1));
  const keptEdges = new Set(keepByMass(sortedEdges, edgeScore, edgeShare(share)).map(edgeKey));
  for (const e of between) if (keepEdges.has(edgeKey(e))) keptEdges.add(edgeKey(e));
  return {
    nodes: g.nodes.filter((n) => kept.has(n.id)),
    edges: between.filter((e) => keptEdges.has(edgeKey(e))),
  };
}
