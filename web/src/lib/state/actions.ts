/**
 * What each user action does to the view state, as a patch (or null: nothing
 * to do). Pure; App.svelte applies the patches to its `$state` view, and new
 * actions (pinning, grouping, notes) add a function here. Tested in actions.test.ts.
 */
import { EMPTY_STATE, type ViewState } from "./url";

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
