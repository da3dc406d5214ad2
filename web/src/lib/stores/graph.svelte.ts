/**
 * The attribution graph of the view's class (or the comparison of two), and
 * what follows it: tile images and the unfiltered graph's ranges for the
 * sliders, both requested after the graph's first frame so they never delay
 * drawing it. A newer selection drops every older answer (Resource).
 */
import { untrack } from "svelte";
import type { Api } from "../api/loaders";
import type { ClassInfo } from "../api/types";
import { afterNextFrame } from "../async/frame";
import { errorOf, IDLE, isFor, Resource, valueOf, type Loadable } from "../async/resource";
import { fromClassGraph, fromComparison, graphRanges, groupCounts, sliderMaxima, type GraphRanges, type ViewGraph } from "../data/graph";
import { orderGraph } from "../layout/layered";
import type { SelectTiming } from "../perf/selectTiming";
import { EMPTY_STATE, graphKey, type ViewState } from "../state/url";

export interface LoadedGraph {
  graph: ViewGraph;
  mode: "single" | "compare";
  a: ClassInfo;
  b: ClassInfo | null;
}

/** A graph on screen, with the key (graphKey) it was loaded for. */
export type ShownGraph = LoadedGraph & { key: string };

/** Key of the unfiltered graph whose ranges the sliders use. */
function fullKey(v: ViewState): string {
  return JSON.stringify([v.model, v.cls]);
}

export class GraphData {
  /** The view state (set by the constructor; the $derived fields below read it lazily). */
  #view: () => ViewState = () => EMPTY_STATE;
  state = $state.raw<Loadable<LoadedGraph>>(IDLE);
  /** The graph on screen: the latest that arrived, kept while the next one loads; none after an error or without a class. */
  shown = $state.raw<ShownGraph | null>(null);
  tilesState = $state.raw<Loadable<Map<string, string | null>>>(IDLE);
  fullState = $state.raw<Loadable<GraphRanges>>(IDLE);

  /** Tile images of the graph shown, once they arrived. */
  readonly tiles = $derived(this.shown && this.tilesState.status === "ready" && this.tilesState.key === this.shown.key ? this.tilesState.value : null);
  /** Why the tile images or the slider ranges could not be loaded (the graph itself still shows). */
  readonly tilesError = $derived(this.shown && this.tilesState.status === "error" && this.tilesState.key === this.shown.key ? this.tilesState.error : null);
  readonly rangesError = $derived(isFor(this.fullState, fullKey(this.#view())) ? errorOf(this.fullState) : null);
  /** Node order of the graph shown (crossing reduction: once per graph; positions follow the panel width). */
  readonly ordered = $derived(this.shown ? orderGraph(this.shown.graph.nodes, this.shown.graph.edges) : null);
  readonly layerNames = $derived(new Map<number, string>((this.shown?.graph.nodes ?? []).map((n) => [n.layerIndex, n.layer])));
  /** Neurons per compare group, for the legend. */
  readonly groups = $derived(this.shown ? groupCounts(this.shown.graph) : null);
  /** Slider maxima for the view's filters. */
  readonly maxima = $derived(sliderMaxima(valueOf(this.fullState), this.shown?.graph ?? null, this.#view().topN, this.#view().minW));

  constructor(api: Api, view: () => ViewState, timing: SelectTiming) {
    this.#view = view;
    const graph = new Resource<LoadedGraph>("class graph", (s) => {
      this.state = s;
      if (s.status === "ready") this.shown = { ...s.value, key: s.key };
      else if (s.status !== "loading") this.shown = null;
    });
    const tiles = new Resource<Map<string, string | null>>("tile images", (s) => (this.tilesState = s));
    const full = new Resource<GraphRanges>("unfiltered class graph", (s) => (this.fullState = s));

    $effect(() => {
      const v = view();
      const key = graphKey(v);
      const { cls, cmp, topN, minW, model: m } = v;
      if (!cls) { graph.clear(); return; }
      const ranges = fullKey(v);
      const unfiltered = topN === null && minW === 0;
      const needFull = !cmp && untrack(() => !isFor(this.fullState, ranges) || this.fullState.status === "error");
      void graph.load(key, async ({ signal }) => {
        const r: LoadedGraph = cmp
          ? await api.compare(m, cls, cmp).then((c) => ({ graph: fromComparison(c), mode: "compare" as const, a: c.a, b: c.b }))
          : await api.classGraph(m, cls, topN, minW).then((g) => ({ graph: fromClassGraph(g), mode: "single" as const, a: g.class, b: null }));
        if (signal.aborted) return r;
        timing.dataArrived(cls);
        if (needFull && unfiltered) full.set(ranges, graphRanges(r.graph));
        void afterNextFrame().then(() => {
          if (signal.aborted) return;
          if (!cmp) void tiles.load(key, () => api.classGraphImages(m, cls, topN, minW));
          if (needFull && !unfiltered) void full.load(ranges, async () => graphRanges(fromClassGraph(await api.classGraph(m, cls, null, 0))));
        });
        return r;
      });
    });
  }

  /** True when no graph is wanted, or the one wanted has arrived (or failed). */
  settled(v: ViewState): boolean {
    return this.state.status === "idle" || (this.state.status !== "loading" && this.state.key === graphKey(v));
  }
}
