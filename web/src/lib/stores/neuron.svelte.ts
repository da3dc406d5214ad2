/**
 * Per-neuron data: the open neuron's details, the strongest paths from the
 * view's `from` neuron, and example patches for the neurons hovered on the
 * graph (each loaded once per model).
 */
import { untrack } from "svelte";
import type { Api } from "../api/loaders";
import type { ExampleData, NeuronDetailData, PathData } from "../api/types";
import { errorOf, IDLE, Resource, ResourceCache, valueOf, type Loadable } from "../async/resource";
import { pathHighlight } from "../data/graph";
import type { ViewState } from "../state/url";

export class NeuronData {
  detailState = $state.raw<Loadable<NeuronDetailData>>(IDLE);
  pathsState = $state.raw<Loadable<PathData[]>>(IDLE);
  /** Example patches by neuron id. */
  examples = $state.raw<ReadonlyMap<string, Loadable<ExampleData[]>>>(new Map());

  readonly detail = $derived(valueOf(this.detailState));
  readonly detailError = $derived(errorOf(this.detailState));
  readonly paths = $derived(valueOf(this.pathsState));
  readonly pathsError = $derived(errorOf(this.pathsState));
  /** Neurons and edges on the strongest paths, for the graph to emphasise. */
  readonly highlight = $derived(this.paths && this.paths.length ? pathHighlight(this.paths) : null);

  readonly #api: Api;
  readonly #view: () => ViewState;
  readonly #examples: ResourceCache<ExampleData[]>;

  constructor(api: Api, view: () => ViewState) {
    this.#api = api;
    this.#view = view;
    this.#examples = new ResourceCache<ExampleData[]>("example patches", (m) => (this.examples = m));
    const detail = new Resource<NeuronDetailData>("neuron details", (s) => (this.detailState = s));
    const paths = new Resource<PathData[]>("strongest paths", (s) => (this.pathsState = s));

    $effect(() => {
      const { neuron: id, cls, model: m } = view();
      if (!id) { detail.clear(); return; }
      void detail.load(JSON.stringify([m, id, cls]), () => api.neuron(m, id, cls));
    });
    $effect(() => {
      const { from, to, cls, model: m } = view();
      if (!from || !cls) { paths.clear(); return; }
      void paths.load(JSON.stringify([m, cls, from, to]), () => api.paths(m, cls, from, to));
    });
    // Neuron ids repeat across models: another model starts an empty cache.
    $effect(() => {
      void view().model;
      untrack(() => this.#examples.reset());
    });
  }

  /** Load the example patches of these neurons unless they are loaded or loading. */
  loadExamples = (ids: readonly string[]): void => {
    const m = this.#view().model;
    for (const id of ids) this.#examples.ensure(id, () => this.#api.examples(m, id));
  };
}
