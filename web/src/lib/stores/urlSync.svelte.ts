/**
 * Wires UrlSync (state/history.ts) to a component: every change of the view
 * state is written to the URL, and Back/Forward replaces the view state.
 * Call during component initialisation.
 */
import { untrack } from "svelte";
import { URL_DEBOUNCE_MS } from "../config";
import { browserHistory, UrlSync, type HistoryPort } from "../state/history";
import type { ViewState } from "../state/url";

export function syncViewWithUrl(get: () => ViewState, set: (v: ViewState) => void, port: HistoryPort = browserHistory): void {
  const sync = new UrlSync(port, untrack(get), URL_DEBOUNCE_MS);
  $effect(() => sync.update(get()));
  $effect(() => {
    const onpop = () => set(sync.popped());
    window.addEventListener("popstate", onpop);
    return () => {
      window.removeEventListener("popstate", onpop);
      sync.dispose();
    };
  });
}
