/**
 * The whole view state lives in the URL query string, so a copied link
 * restores the view. parse/serialize are pure and round-trip (url.test.ts).
 */
import type { SortKey } from "../data/classes";
import { formatTransform, parseTransform, type Transform } from "../layout/viewport";

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
}

export const EMPTY_STATE: ViewState = {
  model: null, cls: null, cmp: null, topN: null, minW: 0, neuron: null,
  from: null, to: null, layer: null, q: "", sort: "index", view: null,
};

const SORTS: SortKey[] = ["index", "name", "accuracy", "similarity"];

function int(v: string | null, min: number): number | null {
  if (v == null || v === "") return null;
  const n = Number(v);
  return Number.isInteger(n) && n >= min ? n : null;
}

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
  const q = p.toString();
  return q ? `?${q}` : "";
}

/** Whether two states need a new graph fetch (anything but view/q/sort/layer/neuron changed). */
export function graphKey(s: ViewState): string {
  return JSON.stringify([s.model, s.cls, s.cmp, s.topN, s.minW]);
}
