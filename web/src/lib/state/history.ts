/**
 * Keeps the URL in step with the view state (url.ts turns one into the other):
 * a change of graph or neuron is a new history entry, written at once (Back
 * returns to it); anything else (zoom, pan, search text, sort) replaces the
 * current entry after a pause. Browser Back/Forward hands the URL's state back
 * through `popped()`. The browser is reached through a small port, so this is
 * tested without one (history.test.ts).
 */
import { Debounce, type Timers } from "../async/debounce";
import { graphKey, parseState, serializeState, type ViewState } from "./url";

export interface HistoryPort {
  /** location.search, e.g. "?class=n01440764" or "". */
  search(): string;
  /** location.pathname, written when the state is all defaults. */
  pathname(): string;
  push(url: string): void;
  replace(url: string): void;
}

export const browserHistory: HistoryPort = {
  search: () => location.search,
  pathname: () => location.pathname,
  push: (url) => history.pushState(null, "", url),
  replace: (url) => history.replaceState(null, "", url),
};

/** Changes that deserve their own history entry: another graph or another neuron. */
export function entryKey(s: ViewState): string {
  return graphKey(s) + s.neuron;
}

export class UrlSync {
  private lastEntry: string;
  private readonly later: Debounce;

  constructor(private readonly port: HistoryPort, initial: ViewState, debounceMs: number, timers?: Timers) {
    this.lastEntry = entryKey(initial);
    this.later = new Debounce(debounceMs, timers);
  }

  /** The view state changed: write it (now for a new entry, after a pause otherwise). */
  update(view: ViewState): void {
    const q = serializeState(view);
    const key = entryKey(view);
    this.later.cancel();
    const write = () => {
      if (q === this.port.search()) return;
      const url = q || this.port.pathname();
      if (key !== this.lastEntry) this.port.push(url);
      else this.port.replace(url);
      this.lastEntry = key;
    };
    if (key !== this.lastEntry) write();
    else this.later.schedule(write);
  }

  /** Back/Forward moved to another entry: its state, which is now the current entry. */
  popped(): ViewState {
    const view = parseState(this.port.search());
    this.lastEntry = entryKey(view);
    return view;
  }

  dispose(): void {
    this.later.cancel();
  }
}
