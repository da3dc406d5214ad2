import { describe, expect, it } from "vitest";
import { EMPTY_STATE, parseState, serializeState, type ViewState } from "./url";
import { readViewFile, toViewFile, viewFileText, ViewFileError, type ViewNote } from "./viewFile";

const FULL: ViewState = {
  model: "run-1", cls: "n01440764", cmp: null, topN: 9, minW: 2, neuron: "b:3", from: "a:1", to: null, layer: "b",
  q: "fish", sort: "name", view: { k: 1.25, x: -10, y: 4 }, prune: 0.8, pruneBy: "pagerank",
  pins: ["a:1", "b:3"], pinEdges: ["a:1>b:3"],
  groups: [{ id: "g1", name: "fins & tails", color: "#aa00cc", members: ["a:1", "a:2"], open: false },
    { id: "s-4", name: "", color: "#00aa66", members: ["c:0", "c:9"], open: true }],
};
const NOTES: ViewNote[] = [
  { kind: "NEURON", target: "b:3", neurons: ["b:3"], text: "stripes", updated: "2026-12-05T10:00:00.000+00:00" },
  { kind: "GROUP", target: "g1", neurons: ["a:1", "a:2"], text: "fins", updated: "" },
];

describe("view state in the URL", () => {
  it("round-trips pins, pinned edges, pruning and groups", () => {
    const q = serializeState(FULL);
    expect(parseState(q)).toEqual(FULL);
    expect(q).toContain("prune=0.8");
    expect(q).toContain("pin=a%3A1&pin=b%3A3");
  });
  it("drops malformed exploration values", () => {
    const s = parseState("?prune=1.5&pruneBy=x&pinEdge=a:1&groups=" + encodeURIComponent(JSON.stringify([
      { id: "bad id", name: "x", color: "#000000", members: ["a:1"] }, { id: "g", name: "x", color: "red", members: ["a:1"] },
      { id: "ok", name: "x", color: "#ABCDEF", members: ["a:1", "a:1"], open: 1 }, { id: "ok", name: "dup", color: "#000000", members: ["a:2"] },
    ])));
    expect(s.prune).toBeNull();
    expect(s.pruneBy).toBe("influence");
    expect(s.pinEdges).toEqual([]);
    expect(s.groups).toEqual([{ id: "ok", name: "x", color: "#abcdef", members: ["a:1"], open: false }]);
    expect(parseState("?groups=%7Bnot-json").groups).toEqual([]);
  });
});

describe("view files", () => {
  it("load back to the identical view and notes", () => {
    const text = viewFileText(toViewFile(FULL, NOTES, new Date("2026-12-05T12:00:00Z")));
    const back = readViewFile(text);
    expect(back.state).toEqual(FULL);
    expect(back.notes).toEqual(NOTES);
    expect(JSON.parse(text).state).toEqual(FULL);
    expect(JSON.parse(text).saved).toBe("2026-12-05T12:00:00.000Z");
  });
  it("an empty view round-trips", () => {
    expect(readViewFile(viewFileText(toViewFile(EMPTY_STATE, []))).state).toEqual(EMPTY_STATE);
  });
  it("name what is wrong", () => {
    const good = toViewFile(FULL, NOTES);
    const bad = (over: Record<string, unknown>) => () => readViewFile(JSON.stringify({ ...good, ...over }));
    expect(() => readViewFile("{")).toThrow(ViewFileError);
    expect(() => readViewFile("{")).toThrow(/not JSON/);
    expect(bad({ format: "other" })).toThrow(/not a Summit view file/);
    expect(bad({ version: 2 })).toThrow(/version 2 is not supported/);
    expect(bad({ query: "class=1" })).toThrow(/query/);
    expect(bad({ query: "?prune=7" })).toThrow(/does not understand/);
    expect(bad({ notes: [{ ...NOTES[0], kind: "CLASS" }] })).toThrow(/notes\[0\]: kind/);
    expect(bad({ notes: [{ ...NOTES[0], text: "" }] })).toThrow(/notes\[0\]: text/);
    expect(bad({ notes: {} })).toThrow(/notes must be a list/);
  });
});
