import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { entryKey, UrlSync, type HistoryPort } from "./history";
import { EMPTY_STATE, parseState, type ViewState } from "./url";

/** An in-memory browser history. */
function fakeHistory(search = "") {
  const entries = [search];
  let at = 0;
  const writes: string[] = [];
  const port: HistoryPort = {
    search: () => entries[at],
    pathname: () => "/",
    push: (url) => { entries.splice(at + 1); entries.push(url === "/" ? "" : url); at++; writes.push(`push ${url}`); },
    replace: (url) => { entries[at] = url === "/" ? "" : url; writes.push(`replace ${url}`); },
  };
  return { port, entries, writes, back: () => { at--; } };
}

const state = (s: Partial<ViewState>): ViewState => ({ ...EMPTY_STATE, ...s });

describe("UrlSync", () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it("a new class is a new history entry, written at once", () => {
    const h = fakeHistory();
    const sync = new UrlSync(h.port, EMPTY_STATE, 250);
    sync.update(state({ cls: "n01440764" }));
    expect(h.writes).toEqual(["push ?class=n01440764"]);
    expect(h.entries).toEqual(["", "?class=n01440764"]);
  });

  it("zoom and search text replace the entry after a pause, the last value winning", () => {
    const h = fakeHistory("?class=a");
    const start = parseState("?class=a");
    const sync = new UrlSync(h.port, start, 250);
    sync.update({ ...start, q: "sh" });
    sync.update({ ...start, q: "shark" });
    expect(h.writes).toEqual([]);
    vi.advanceTimersByTime(250);
    expect(h.writes).toEqual(["replace ?class=a&q=shark"]);
    expect(h.entries).toEqual(["?class=a&q=shark"]);
  });

  it("opening a neuron pushes and cancels a pending replace; an unchanged URL is not written", () => {
    const h = fakeHistory("?class=a");
    const start = parseState("?class=a");
    const sync = new UrlSync(h.port, start, 250);
    sync.update({ ...start, q: "x" });
    sync.update({ ...start, q: "x", neuron: "mixed4a:3" });
    vi.advanceTimersByTime(1000);
    expect(h.writes).toEqual(["push ?class=a&neuron=mixed4a%3A3&q=x"]);
    sync.update({ ...start, q: "x", neuron: "mixed4a:3" });
    vi.advanceTimersByTime(1000);
    expect(h.writes).toHaveLength(1);
  });

  it("back to the defaults writes the bare path", () => {
    const h = fakeHistory("?class=a");
    const sync = new UrlSync(h.port, parseState("?class=a"), 250);
    sync.update(EMPTY_STATE);
    expect(h.writes).toEqual(["push /"]);
  });

  it("Back hands over the earlier entry's state, which then counts as the current entry", () => {
    const h = fakeHistory();
    const sync = new UrlSync(h.port, EMPTY_STATE, 250);
    sync.update(state({ cls: "a" }));
    sync.update(state({ cls: "b" }));
    h.back();
    const popped = sync.popped();
    expect(popped.cls).toBe("a");
    expect(entryKey(popped)).toBe(entryKey(state({ cls: "a" })));
    // The app sets the popped state; writing it back changes nothing.
    sync.update(popped);
    vi.advanceTimersByTime(1000);
    expect(h.writes).toEqual(["push ?class=a", "push ?class=b"]);
  });
});
