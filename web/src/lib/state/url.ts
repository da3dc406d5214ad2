/**
 * The whole view state lives in the URL query string, so a copied link
 * restores the view. parse/serialize are pure and round-trip (url.test.ts).
 * Exploration state travels too: the pruning threshold, pinned neurons and
 * edges (kept across classes), and the user's groups (supernodes).
 */
import type { SortKey } from "../data/classes";
import { formatTransform, parseTransform, type Transform } from "../layout/viewport";

/** What pruning ranks neurons by: their influence on the class's top layer, or their PageRank. */
export type PruneBy = "influence" | "pagerank";

/** A user's group of neurons of one layer, drawn as one node while closed. */
export interface NeuronGroup {
  /** Letters, digits, '-' or '_' (also the key of its note on the server). */
  id: string;
  name: string;
  /** "#rrggbb". */
  color: string;
  members: string[];
  /** Open: its members are drawn one by one (outlined in its colour); closed: one node with merged edges. */
  open: boolean;
}

export const GROUP_ID = /^[A-Za-z0-9_-]{1,64}$/;
const COLOR = /^#[0-9a-fA-F]{6}$/;
export const GROUP_NAME_MAX = 80;

export interface ViewState {
  model: string | null;
  /** Selected class (index, wnid or name, as the API's classKey). */
  cls: string | null;
  /** Second class for compare mode. */
  cmp: string | null;
  /** Neurons per layer (null = all). */
  topN: number | null;
  /** Minimum edge weight. */
  minW: number;
  /** Neuron whose detail panel is open. */
  neuron: string | null;
  /** Strongest paths: from this neuron to `to` (null = to the top layer). */
  from: string | null;
  to: string | null;
  /** Embedding layer shown in the class overview. */
  layer: string | null;
  /** Class list search text and sort. */
  q: string;
  sort: SortKey;
  /** Graph zoom/pan. */
  view: Transform | null;
  /** Pruning: share of influence (or PageRank) mass kept per layer, 0 < prune < 1; null = off. */
  prune: number | null;
  pruneBy: PruneBy;
  /** Pinned neurons and edges ("src>dst"), highlighted in every class's graph. */
  pins: string[];
  pinEdges: string[];
  groups: NeuronGroup[];
}

export const EMPTY_STATE: ViewState = {
  model: null, cls: null, cmp: null, topN: null, minW: 0, neuron: null,
  from: null, to: null, layer: null, q: "", sort: "index", view: null,
  prune: null, pruneBy: "influence", pins: [], pinEdges: [], groups: [],
};

const SORTS: SortKey[] = ["index", "name", "accuracy", "similarity"];

function int(v: string | null, min: number): number | null {
  if (v == null || v === "") return null;
  const n = Number(v);
  return Number.isInteger(n) && n >= min ? n : null;
}

function share(v: string | null): number | null {
  if (v == null || v === "") return null;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 && n < 1 ? n : null;
}

/** A group as the URL (or a view file) has it, or null when any part is malformed. */
export function checkGroup(x: unknown): NeuronGroup | null {
  if (typeof x !== "object" || x === null) return null;
  const g = x as Record<string, unknown>;
  if (typeof g.id !== "string" || !GROUP_ID.test(g.id)) return null;
  if (typeof g.name !== "string" || g.name.length > GROUP_NAME_MAX) return null;
  if (typeof g.color !== "string" || !COLOR.test(g.color)) return null;
  if (!Array.isArray(g.members) || g.members.length === 0 || !g.members.every((m) => typeof m === "string" && m.includes(":"))) return null;
  return { id: g.id, name: g.name, color: g.color.toLowerCase(), members: [...new Set(g.members as string[])], open: g.open === true };
}

/** The groups in a `groups` parameter (JSON); malformed groups and repeated ids are dropped. */
export function parseGroups(v: string | null): NeuronGroup[] {
  if (!v) return [];
  let raw: unknown;
  try { raw = JSON.parse(v); } catch { return []; }
  if (!Array.isArray(raw)) return [];
  const seen = new Set<string>();
  const out: NeuronGroup[] = [];
  for (const x of raw) {
    const g = checkGroup(x);
    if (g && !seen.has(g.id)) { seen.add(g.id); out.push(g); }
  }
  return out;
}

const unique = (xs: string[]) => [...new Set(xs.filter((x) => x !== ""))];

export function parseState(search: string): ViewState {
  const p = new URLSearchParams(search);
  const sort = p.get("sort") as SortKey | null;
  return {
    model: p.get("model") || null,
    cls: p.get("class") || null,
    cmp: p.get("compare") || null,
    topN: int(p.get("topN"), 1),
    minW: int(p.get("minWeight"), 0) ?? 0,
    neuron: p.get("neuron") || null,
    from: p.get("from") || null,
    to: p.get("to") || null,
    layer: p.get("layer") || null,
    q: p.get("q") ?? "",
    sort: sort && SORTS.includes(sort) ? sort : "index",
    view: parseTransform(p.get("view")),
    prune: share(p.get("prune")),
    pruneBy: p.get("pruneBy") === "pagerank" ? "pagerank" : "influence",
    pins: unique(p.getAll("pin")),
    pinEdges: unique(p.getAll("pinEdge").filter((e) => /^[^>]+>[^>]+$/.test(e))),
    groups: parseGroups(p.get("groups")),
  };
}

/** Query string (with leading "?", or "" when empty) for a state; defaults are omitted. */
export function serializeState(s: ViewState): string {
  const p = new URLSearchParams();
  if (s.model) p.set("model", s.model);
  if (s.cls) p.set("class", s.cls);
  if (s.cmp) p.set("compare", s.cmp);
  if (s.topN != null) p.set("topN", String(s.topN));
  if (s.minW > 0) p.set("minWeight", String(s.minW));
  if (s.neuron) p.set("neuron", s.neuron);
  if (s.from) p.set("from", s.from);
  if (s.to) p.set("to", s.to);
  if (s.layer) p.set("layer", s.layer);
  if (s.q) p.set("q", s.q);
  if (s.sort !== "index") p.set("sort", s.sort);
  if (s.view) p.set("view", formatTransform(s.view));
  if (s.prune != null) p.set("prune", String(s.prune));
  if (s.pruneBy !== "influence") p.set("pruneBy", s.pruneBy);
  for (const id of s.pins) p.append("pin", id);
  for (const e of s.pinEdges) p.append("pinEdge", e);
  if (s.groups.length) p.set("groups", JSON.stringify(s.groups.map((g) => ({ id: g.id, name: g.name, color: g.color, members: g.members, open: g.open }))));
  const q = p.toString();
  return q ? `?${q}` : "";
}

/** Whether two states need a new graph fetch (anything but view/q/sort/layer/neuron changed). */
export function graphKey(s: ViewState): string {
  return JSON.stringify([s.model, s.cls, s.cmp, s.topN, s.minW]);
}
