/**
 * Similarity of every class to the selected one (the class list's
 * "similarity" sort and bars). Requested only once the selected class's graph
 * has settled, after its first frame, so it never competes with the graph.
 */
import type { Api } from "../api/loaders";
import { afterNextFrame } from "../async/frame";
import { errorOf, IDLE, Resource, valueOf, type Loadable } from "../async/resource";

export class Similarity {
  state = $state.raw<Loadable<Map<number, number>>>(IDLE);
  readonly value = $derived(valueOf(this.state));
  readonly error = $derived(errorOf(this.state));

  /**
   * @param target the model and the selected class's index (null: none selected or no model yet).
   * @param settled whether the graph request has finished (or there is none).
   */
  constructor(api: Api, target: () => { model: string | null; index: number | null; ready: boolean }, settled: () => boolean) {
    const res = new Resource<Map<number, number>>("class similarity", (s) => (this.state = s));
    $effect(() => {
      const { model, index, ready } = target();
      if (index === null || !ready) { res.clear(); return; }
      const key = JSON.stringify([model, index]);
      if (!settled() || res.key === key) return;
      void res.load(key, async ({ signal }) => {
        await afterNextFrame();
        signal.throwIfAborted();
        return api.similarity(model, index);
      });
    });
  }
}
