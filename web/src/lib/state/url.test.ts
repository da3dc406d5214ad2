import { describe, expect, it } from "vitest";
import { EMPTY_STATE, graphKey, parseState, serializeState, type ViewState } from "./url";

describe("URL state", () => {
  it("empty state serialises to nothing", () => {
    expect(serializeState(EMPTY_STATE)).toBe("");
    expect(parseState("")).toEqual(EMPTY_STATE);
  });
  it("round-trips a full state", () => {
    const s: ViewState = {
      ...EMPTY_STATE,
      model: "inception v1", cls: "n01440764", cmp: "tench & co", topN: 7, minW: 3,
      neuron: "mixed4d:409", from: "mixed3a:1", to: "mixed5b:2", layer: "mixed4a",
      q: "dog", sort: "similarity", view: { k: 1.5, x: -20, y: 33 },
    };
    const q = serializeState(s);
    expect(parseState(q)).toEqual(s);
    expect(q).toContain("class=n01440764");
    expect(q).toContain("neuron=mixed4d%3A409");
  });
  it("rejects bad numbers and sorts with defaults", () => {
    const s = parseState("?topN=-2&minWeight=abc&sort=bogus&view=1,2");
    expect(s.topN).toBeNull();
    expect(s.minW).toBe(0);
    expect(s.sort).toBe("index");
    expect(s.view).toBeNull();
  });
  it("graphKey changes only with graph inputs", () => {
    const a = { ...EMPTY_STATE, cls: "3" };
    expect(graphKey({ ...a, view: { k: 2, x: 0, y: 0 }, neuron: "x:1" })).toBe(graphKey(a));
    expect(graphKey({ ...a, topN: 4 })).not.toBe(graphKey(a));
  });
});
