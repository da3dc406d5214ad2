/**
 * One image's attribution graph beside the class graph on screen: whether the
 * server computes it (asked once the panel opens), the images to pick from
 * (the class graph's dataset examples), an upload, and the graph of the picked
 * image for the class shown, recomputed when the class or the personalisation
 * changes. The panel's own state (open, image, personalisation) lives here, not
 * in the URL; another model forgets the image.
 */
import type { Api } from "../api/loaders";
import type { ImageGraphData as ImageGraphAnswer, ImageGraphSupportData, Personalization, UploadData } from "../api/types";
import type { Uploader } from "../api/uploads";
import { uploadProblem } from "../api/uploads";
import { IDLE, Resource, valueOf, type Loadable } from "../async/resource";
import { exampleChoices, fromImageGraph, sharedHighlight, type ImageChoice } from "../data/imageGraph";
import { orderGraph } from "../layout/layered";

/** What the panel is for: the model and the class whose graph is on screen (null: none, or a comparison). */
export interface ImageGraphTarget { model: string | null; cls: string | null }

export class ImageGraphStore {
  open = $state(false);
  /** The picked image: a dataset path or upload:<sha256>. */
  image = $state<string | null>(null);
  personalization = $state<Personalization>("IMAGE");
  supportState = $state.raw<Loadable<ImageGraphSupportData>>(IDLE);
  choicesState = $state.raw<Loadable<ImageChoice[]>>(IDLE);
  graphState = $state.raw<Loadable<ImageGraphAnswer>>(IDLE);
  uploadState = $state.raw<Loadable<UploadData>>(IDLE);
  /** A file refused before sending (type, size). */
  uploadRefused = $state<string | null>(null);

  readonly support = $derived(valueOf(this.supportState));
  readonly graph = $derived(valueOf(this.graphState));
  readonly viewGraph = $derived(this.graph ? fromImageGraph(this.graph) : null);
  readonly ordered = $derived(this.viewGraph ? orderGraph(this.viewGraph.nodes, this.viewGraph.edges) : null);
  /** The class graph's neurons and edges the image's graph shares, while the panel shows one. */
  readonly highlight = $derived(this.open && this.graph ? sharedHighlight(this.graph) : null);

  readonly #upload: Uploader;
  readonly #uploads: Resource<UploadData>;

  constructor(api: Api, target: () => ImageGraphTarget, upload: Uploader) {
    this.#upload = upload;
    const support = new Resource<ImageGraphSupportData>("image graph support", (s) => (this.supportState = s));
    const choices = new Resource<ImageChoice[]>("example images", (s) => (this.choicesState = s));
    const graph = new Resource<ImageGraphAnswer>("image graph", (s) => (this.graphState = s));
    this.#uploads = new Resource<UploadData>("image upload", (s) => (this.uploadState = s));
    let model: string | null | undefined;

    $effect(() => {
      const m = target().model;
      if (m !== model) { model = m; this.image = null; } // image names belong to a model
    });
    $effect(() => {
      const m = target().model;
      if (!this.open) return;
      const key = JSON.stringify([m]);
      if (support.key !== key) void support.load(key, () => api.imageGraphSupport(m));
    });
    $effect(() => {
      const { model: m, cls } = target();
      if (!this.open || !cls || !this.support?.available || !this.support.datasetImages) { choices.clear(); return; }
      const key = JSON.stringify([m, cls]);
      if (choices.key !== key) void choices.load(key, async () => exampleChoices(await api.classExampleImages(m, cls)));
    });
    $effect(() => {
      const { model: m, cls } = target();
      const image = this.image, personalization = this.personalization;
      if (!this.open || !cls || !image) { graph.clear(); return; }
      const key = JSON.stringify([m, cls, image, personalization]);
      if (graph.key !== key) void graph.load(key, () => api.imageGraph(m, image, cls, personalization));
    });
  }

  toggle = (): void => { this.open = !this.open; };
  pick = (image: string): void => { this.image = image; };
  personalize = (p: Personalization): void => { this.personalization = p; };

  /** Upload a JPEG/PNG and pick it; a file the server would refuse is refused here with the reason. */
  uploadFile = async (file: File): Promise<void> => {
    this.uploadRefused = uploadProblem(file, this.support?.maxUploadBytes ?? 0);
    if (this.uploadRefused) return;
    const done = await this.#uploads.load(`${file.name}:${file.size}:${file.lastModified}`, () => this.#upload(file));
    if (done?.status === "ready") this.image = done.value.image;
  };
}
