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
import { edgeKey, type ViewGraph } from "./graph";
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

/** Node influence (by node index) and edge flow (by edge index); edges naming unknown neurons carry nothing. */
function flows(g: ViewGraph, by: PruneBy): { index: Map<string, number>; node: Float64Array; edge: Float64Array } {
  const n = g.nodes.length, m = g.edges.length;
  const index = new Map<string, number>();
  g.nodes.forEach((x, i) => index.set(x.id, i));
  const layer = new Int32Array(n);
  let top = -Infinity;
  g.nodes.forEach((x, i) => { layer[i] = x.layerIndex; if (x.layerIndex > top) top = x.layerIndex; });
  const src = new Int32Array(m), dst = new Int32Array(m), w = new Float64Array(m);
  const inTotal = new Float64Array(n);
  g.edges.forEach((e, k) => {
    src[k] = index.get(e.src) ?? -1;
    dst[k] = index.get(e.dst) ?? -1;
    w[k] = Math.max(0, e.weight);
    if (src[k] >= 0 && dst[k] >= 0) inTotal[dst[k]] += w[k];
  });
  const node = new Float64Array(n);
  if (by === "pagerank") g.nodes.forEach((x, i) => (node[i] = x.pagerank));
  else {
    let mass = 0, count = 0;
    g.nodes.forEach((x) => { if (x.layerIndex === top) { mass += x.pagerank; count++; } });
    g.nodes.forEach((x, i) => { if (x.layerIndex === top) node[i] = mass > 0 ? x.pagerank / mass : 1 / count; });
  }
  // Edges by their upper end, top layer first: a neuron's influence is complete before it is passed on.
  const order = Array.from({ length: m }, (_, k) => k).filter((k) => src[k] >= 0 && dst[k] >= 0)
    .sort((a, b) => layer[dst[b]] - layer[dst[a]] || a - b);
  const edge = new Float64Array(m);
  for (const k of order) {
    const d = dst[k];
    if (inTotal[d] <= 0) continue;
    edge[k] = (node[d] * w[k]) / inTotal[d];
    if (by === "influence") node[src[k]] += edge[k];
  }
  return { index, node, edge };
}

/** Influence (or PageRank) of every neuron and the influence flowing through every edge. */
export function scores(g: ViewGraph, by: PruneBy): Scores {
  const f = flows(g, by);
  return {
    node: new Map(g.nodes.map((x, i) => [x.id, f.node[i]])),
    edge: new Map(g.edges.map((e, k) => [edgeKey(e), f.edge[k]])),
  };
}

/** How many of `order` (sorted by score, descending) reach `share` of the total score. */
function keptByMass(order: number[], score: ArrayLike<number>, share: number): number {
  let total = 0;
  for (const i of order) total += score[i];
  if (total <= 0) return order.length;
  let sum = 0, kept = 0;
  for (const i of order) {
    if (sum >= share * total - 1e-12) break;
    sum += score[i];
    kept++;
  }
  return kept;
}

/**
 * The graph pruned to `share` of each layer's mass (see the module comment).
 * `share` >= 1 keeps everything. Node and edge order are kept.
 */
export function pruneGraph(g: ViewGraph, share: number, by: PruneBy, keep: ReadonlySet<string> = new Set(), keepEdges: ReadonlySet<string> = new Set()): ViewGraph {
  if (!(share < 1)) return g;
  const f = flows(g, by);
  const layers = new Map<number, number[]>();
  g.nodes.forEach((x, i) => {
    const list = layers.get(x.layerIndex);
    if (list) list.push(i); else layers.set(x.layerIndex, [i]);
  });
  const kept = new Uint8Array(g.nodes.length);
  g.nodes.forEach((x, i) => { if (keep.has(x.id)) kept[i] = 1; });
  const pagerank = Float64Array.from(g.nodes, (x) => x.pagerank);
  for (const members of layers.values()) {
    let total = 0;
    for (const i of members) total += f.node[i];
    // A layer no influence reaches (cut off from the top) is ranked by PageRank instead.
    const rank = total > 0 ? f.node : pagerank;
    const sorted = members.sort((a, b) => rank[b] - rank[a] || pagerank[b] - pagerank[a] || (g.nodes[a].id < g.nodes[b].id ? -1 : 1));
    const n = keptByMass(sorted, rank, share);
    for (let j = 0; j < n; j++) kept[sorted[j]] = 1;
  }
  const between: number[] = [];
  g.edges.forEach((e, k) => {
    const a = f.index.get(e.src), b = f.index.get(e.dst);
    if (a !== undefined && b !== undefined && kept[a] && kept[b]) between.push(k);
  });
  const byFlow = [...between].sort((a, b) => f.edge[b] - f.edge[a] || g.edges[b].weight - g.edges[a].weight || a - b);
  const keptEdge = new Uint8Array(g.edges.length);
  const n = keptByMass(byFlow, f.edge, edgeShare(share));
  for (let j = 0; j < n; j++) keptEdge[byFlow[j]] = 1;
  if (keepEdges.size) for (const k of between) if (keepEdges.has(edgeKey(g.edges[k]))) keptEdge[k] = 1;
  return {
    nodes: g.nodes.filter((_, i) => kept[i]),
    edges: between.filter((k) => keptEdge[k]).map((k) => g.edges[k]),
  };
}
