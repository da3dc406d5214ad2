/**
 * What the app knows about the current model: the model list, the model, its
 * classes and its class embeddings (one per layer, shown as they arrive).
 * Reactive state for the components; loading goes through `Resource`, so a
 * model switch drops the previous model's late answers.
 */
import { untrack } from "svelte";
import type { Api } from "../api/loaders";
import type { ClassInfo, ModelInfo, ModelSummary } from "../api/types";
import { errorMessage, IDLE, Resource, valueOf, type Loadable } from "../async/resource";
import { normalise, type XY } from "../data/embedding";
import type { ViewState } from "../state/url";

/** Class embeddings by layer name; layers that failed, with the reason; layers still loading. */
export interface Embeddings {
  layers: ReadonlyMap<string, Map<number, XY>>;
  failed: ReadonlyMap<string, string>;
  pending: number;
}

export class Catalog {
  models = $state.raw<Loadable<ModelSummary[]>>(IDLE);
  model = $state.raw<Loadable<ModelInfo>>(IDLE);
  classesState = $state.raw<Loadable<{ total: number; classes: ClassInfo[] }>>(IDLE);
  embeddingsState = $state.raw<Loadable<Embeddings>>(IDLE);

  /** The model, once loaded. */
  readonly info = $derived(valueOf(this.model));
  readonly classes = $derived(valueOf(this.classesState)?.classes ?? []);
  readonly classTotal = $derived(valueOf(this.classesState)?.total ?? 0);
  /** Embeddings so far (complete, or the layers arrived while the rest load). */
  readonly embeddings = $derived<Embeddings | null>(
    this.embeddingsState.status === "ready" ? this.embeddingsState.value
      : this.embeddingsState.status === "loading" ? (this.embeddingsState.partial ?? null) : null,
  );
  /** Layers whose embedding has not arrived yet. */
  readonly embeddingsPending = $derived(
    this.embeddingsState.status !== "loading" ? 0 : (this.embeddingsState.partial?.pending ?? this.info?.layers.length ?? 0),
  );
  /** Layers with an embedding, in network order. */
  readonly embeddingLayers = $derived(
    this.info && this.embeddings
      ? this.info.layers.slice().sort((a, b) => a.index - b.index).map((l) => l.name).filter((l) => this.embeddings!.layers.has(l))
      : [],
  );
  readonly names = $derived(new Map<number, string>(this.classes.map((c) => [c.index, c.name])));

  constructor(api: Api, view: () => ViewState) {
    const models = new Resource<ModelSummary[]>("model list", (s) => (this.models = s));
    const model = new Resource<ModelInfo>("model", (s) => (this.model = s));
    const classes = new Resource<{ total: number; classes: ClassInfo[] }>("classes", (s) => (this.classesState = s));
    const embeddings = new Resource<Embeddings>("class embeddings", (s) => (this.embeddingsState = s));

    void models.load("all", () => api.models());
    $effect(() => {
      const id = view().model;
      void model.load(id ?? "(default)", () => api.model(id));
    });
    $effect(() => {
      const m = this.info;
      if (!m) { classes.clear(); embeddings.clear(); return; }
      const id = untrack(() => view().model);
      void classes.load(m.id, () => api.classes(id));
      void embeddings.load(m.id, (job) => loadEmbeddings(api, id, m, job.partial));
    });
  }
}

/** Every layer's embedding at once; each answer is published as it arrives, a failed layer is recorded and logged. */
async function loadEmbeddings(api: Api, model: string | null, m: ModelInfo, partial: (e: Embeddings) => void): Promise<Embeddings> {
  let layers = new Map<string, Map<number, XY>>();
  const failed = new Map<string, string>();
  let pending = m.layers.length;
  await Promise.all(m.layers.map(async (l) => {
    try {
      const pts = await api.embedding(model, l.name);
      if (pts.length > 0) layers = new Map(layers).set(l.name, normalise(pts));
    } catch (e) {
      failed.set(l.name, errorMessage(e));
      console.warn(`summit: cannot load the class embedding of layer ${l.name} (model ${m.id}): ${errorMessage(e)}`);
    }
    pending--;
    partial({ layers, failed: new Map(failed), pending });
  }));
  return { layers, failed, pending: 0 };
}
