/**
 * Groups of neurons (supernodes) on the graph: a closed group is drawn as one
 * node in its layer's row, at its first member's place, with the edges of its
 * members merged (weights summed); an open group's members are drawn one by
 * one, outlined in its colour. Groups hold neurons of one layer (the graph is
 * drawn in layer rows). Also: which suggested groups (computed by `summit
 * graphs`) apply to the graph shown. Pure; tested in groups.test.ts.
 */
import { countCrossings, type OrderedGraph } from "../layout/layered";
import type { NeuronGroup } from "../state/url";
import { edgeKey, type Group, type ViewEdge, type ViewGraph, type ViewNode } from "./graph";

/** Node ids of closed groups on the canvas ("group:<id>"). */
export const GROUP_NODE = "group:";
export const groupNodeId = (id: string): string => GROUP_NODE + id;
export const groupIdOf = (nodeId: string): string | null => (nodeId.startsWith(GROUP_NODE) ? nodeId.slice(GROUP_NODE.length) : null);

export interface Collapsed {
  graph: ViewGraph;
  /** Member neuron id -> the node id of its closed group (only members that are drawn). */
  groupOf: Map<string, string>;
}

function common(groups: Group[]): Group {
  return groups.every((g) => g === groups[0]) ? groups[0] : "shared";
}

/** The graph with every closed group (with a member in the graph) replaced by one node; edges merged. */
export function collapseGroups(g: ViewGraph, groups: readonly NeuronGroup[]): Collapsed {
  const closed = groups.filter((x) => !x.open);
  const groupOf = new Map<string, string>();
  if (closed.length === 0) return { graph: g, groupOf };
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const groupNodes = new Map<string, ViewNode>();
  for (const grp of closed) {
    const members = grp.members.map((id) => byId.get(id)).filter((n): n is ViewNode => !!n && !groupOf.has(n.id));
    if (members.length === 0) continue;
    const id = groupNodeId(grp.id);
    for (const m of members) groupOf.set(m.id, id);
    groupNodes.set(id, {
      id, layer: members[0].layer, layerIndex: members[0].layerIndex, channel: -1, image: null,
      count: members.reduce((s, m) => s + m.count, 0), pagerank: members.reduce((s, m) => s + m.pagerank, 0),
      group: common(members.map((m) => m.group)), members, name: grp.name, color: grp.color, size: grp.members.length,
    });
  }
  const nodes: ViewNode[] = [];
  const placed = new Set<string>();
  for (const n of g.nodes) {
    const gid = groupOf.get(n.id);
    if (!gid) nodes.push(n);
    else if (!placed.has(gid)) { placed.add(gid); nodes.push(groupNodes.get(gid)!); }
  }
  // Edges that touch no member pass as they are; the others merge per (drawn src, drawn dst).
  const edges: ViewEdge[] = [];
  const merged = new Map<string, { edge: ViewEdge; groups: Group[] }>();
  for (const e of g.edges) {
    const src = groupOf.get(e.src), dst = groupOf.get(e.dst);
    if (src === undefined && dst === undefined) { edges.push(e); continue; }
    const key = `${src ?? e.src}>${dst ?? e.dst}`;
    const m = merged.get(key);
    if (m) { m.edge.weight += e.weight; m.groups.push(e.group); }
    else {
      const edge: ViewEdge = { src: src ?? e.src, dst: dst ?? e.dst, weight: e.weight, group: e.group };
      merged.set(key, { edge, groups: [e.group] });
      edges.push(edge);
    }
  }
  for (const m of merged.values()) m.edge.group = common(m.groups);
  return { graph: { nodes, edges }, groupOf };
}

/** Member neuron id -> colour of its open group (drawn as an outline). */
export function openGroupColors(groups: readonly NeuronGroup[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const g of groups) if (g.open) for (const m of g.members) if (!out.has(m)) out.set(m, g.color);
  return out;
}

/**
 * The full graph's row order restricted to what is drawn: hidden (pruned)
 * neurons leave their row, a closed group takes its first member's place.
 * Rows stay (a layer pruned empty keeps its place), so nothing jumps while a
 * slider moves; no crossing reduction runs again (cheap: one frame for 500 neurons).
 */
export function projectOrder(full: OrderedGraph, shown: ViewGraph, groupOf: ReadonlyMap<string, string>, groupSize: number): OrderedGraph {
  const visible = new Set(shown.nodes.map((n) => n.id));
  const order = full.order.map((row) => {
    const out: string[] = [];
    const seen = new Set<string>();
    for (const id of row) {
      const gid = groupOf.get(id);
      const drawn = gid && visible.has(gid) ? gid : visible.has(id) ? id : null;
      if (drawn && !seen.has(drawn)) { seen.add(drawn); out.push(drawn); }
    }
    return out;
  });
  const sizes = new Map(full.sizes);
  for (const n of shown.nodes) if (n.members) sizes.set(n.id, groupSize);
  return { order, rowLayers: full.rowLayers, sizes, crossings: countCrossings(order, shown.edges), fileOrderCrossings: full.fileOrderCrossings };
}

/** Why these neurons cannot become a group (null: they can). */
export function groupProblem(members: readonly string[], layerOf: ReadonlyMap<string, number>): string | null {
  if (members.length < 2) return "select at least two neurons (Ctrl/⌘-click) to group them";
  const layers = new Set(members.map((m) => layerOf.get(m) ?? m.slice(0, m.lastIndexOf(":"))));
  if (layers.size > 1) return "a group holds neurons of one layer (the graph draws one row per layer)";
  return null;
}

/** A group id not used yet: g1, g2, ... */
export function newGroupId(groups: readonly NeuronGroup[]): string {
  const used = new Set(groups.map((g) => g.id));
  let i = groups.length + 1;
  while (used.has(`g${i}`)) i++;
  return `g${i}`;
}

export interface Suggestion { id: number; layer: string; neurons: string[]; cohesion: number }

/**
 * Suggested groups with at least two members in the graph shown, restricted to
 * those members; none whose members are already one of the user's groups.
 */
export function suggestionsFor(suggestions: readonly Suggestion[], shown: ReadonlySet<string>, groups: readonly NeuronGroup[]): Suggestion[] {
  const taken = new Set(groups.map((g) => [...g.members].sort().join(",")));
  const out: Suggestion[] = [];
  for (const s of suggestions) {
    const here = s.neurons.filter((n) => shown.has(n));
    if (here.length >= 2 && !taken.has([...here].sort().join(","))) out.push({ ...s, neurons: here });
  }
  return out;
}

/**
 * Neuron ids and edge keys ("src>dst") as they are drawn: a member of a closed group becomes its
 * group's node (so a highlighted path or a pinned edge through a group still shows).
 */
export function asDrawn(ids: ReadonlySet<string>, edges: ReadonlySet<string>, groupOf: ReadonlyMap<string, string>): { nodes: Set<string>; edges: Set<string> } {
  if (groupOf.size === 0) return { nodes: new Set(ids), edges: new Set(edges) };
  const at = (id: string) => groupOf.get(id) ?? id;
  return {
    nodes: new Set([...ids].map(at)),
    edges: new Set([...edges].map((e) => { const [a, b] = e.split(">"); return `${at(a)}>${at(b)}`; })),
  };
}
