/**
 * What each user action does to the view state, as a patch (or null: nothing
 * to do). Pure; App.svelte applies the patches to its `$state` view, and new
 * actions (pinning, grouping, notes) add a function here. Tested in actions.test.ts.
 */
import { EMPTY_STATE, type NeuronGroup, type PruneBy, type ViewState } from "./url";

export type ViewPatch = Partial<ViewState>;

/** Show class `key`'s graph: leaves compare mode and closes what belonged to the old graph. */
export function selectClass(v: ViewState, key: string): ViewPatch | null {
  if (v.cls === key && !v.cmp) return null;
  return { cls: key, cmp: null, neuron: null, from: null, to: null, view: null };
}

/** Compare the selected class with class `key`. */
export function compareWith(key: string): ViewPatch {
  return { cmp: key, from: null, to: null };
}

export function stopComparing(): ViewPatch {
  return { cmp: null };
}

/** Another model: everything else starts afresh. */
export function pickModel(id: string): ViewState {
  return { ...EMPTY_STATE, model: id };
}

export function openNeuron(id: string | null): ViewPatch {
  return { neuron: id };
}

export function pathsFrom(id: string): ViewPatch {
  return { from: id, to: null };
}

export function pathsTo(id: string): ViewPatch {
  return { to: id };
}

export function clearPaths(): ViewPatch {
  return { from: null, to: null };
}

/**
 * Graph filters from the sliders. A neurons-per-layer value at (or above) the
 * slider's maximum means "all" (null), so the URL stays short.
 */
export function filterGraph(f: { topN?: number; minW?: number }, perLayerMax: number): ViewPatch {
  const out: ViewPatch = {};
  if (f.topN !== undefined) out.topN = f.topN >= perLayerMax ? null : f.topN;
  if (f.minW !== undefined) out.minW = f.minW;
  return out;
}

// ---- exploration: pruning, pins, groups ------------------------------------------

/** The pruning slider: `share` of mass kept (1 or null: off). */
export function setPrune(share: number | null, by?: PruneBy): ViewPatch {
  const out: ViewPatch = { prune: share === null || share >= 1 ? null : Math.max(0.01, Math.round(share * 100) / 100) };
  if (by) out.pruneBy = by;
  return out;
}

/** Shift-click: pin a neuron, or unpin it (with the pinned edges that touch it). */
export function togglePin(v: ViewState, id: string): ViewPatch {
  if (!v.pins.includes(id)) return { pins: [...v.pins, id] };
  return { pins: v.pins.filter((p) => p !== id), pinEdges: v.pinEdges.filter((e) => !e.split(">").includes(id)) };
}

/** Pin a whole path: its neurons and its edges. */
export function pinPath(v: ViewState, neurons: readonly string[]): ViewPatch {
  const edges = neurons.slice(1).map((id, i) => `${neurons[i]}>${id}`);
  return { pins: [...new Set([...v.pins, ...neurons])], pinEdges: [...new Set([...v.pinEdges, ...edges])] };
}

export function clearPins(): ViewPatch {
  return { pins: [], pinEdges: [] };
}

/** A new group (closed: drawn as one node) of `members`; they leave any group they were in. */
export function addGroup(v: ViewState, group: NeuronGroup): ViewPatch {
  const taken = new Set(group.members);
  const others = v.groups
    .map((g) => ({ ...g, members: g.members.filter((m) => !taken.has(m)) }))
    .filter((g) => g.members.length > 0);
  return { groups: [...others, group] };
}

export function updateGroup(v: ViewState, id: string, change: Partial<Omit<NeuronGroup, "id">>): ViewPatch {
  return { groups: v.groups.map((g) => (g.id === id ? { ...g, ...change } : g)) };
}

export function removeGroup(v: ViewState, id: string): ViewPatch {
  return { groups: v.groups.filter((g) => g.id !== id) };
}

/** A view loaded from a file: everything it holds replaces the current view. */
export function loadView(loaded: ViewState): ViewState {
  return { ...loaded };
}
