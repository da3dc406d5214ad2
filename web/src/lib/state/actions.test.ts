import { describe, expect, it } from "vitest";
import {
  addGroup, clearPins, compareWith, filterGraph, pickModel, pinPath, removeGroup, selectClass, setPrune, togglePin, updateGroup,
} from "./actions";
import { EMPTY_STATE, parseState } from "./url";

describe("view actions", () => {
  const v = parseState("?model=m&class=a&compare=b&neuron=x&from=x&to=y&topN=4&view=1,2,3&q=sh");

  it("selecting a class leaves compare mode and closes the old graph's neuron, paths and zoom, keeping the filters", () => {
    expect(selectClass(v, "c")).toEqual({ cls: "c", cmp: null, neuron: null, from: null, to: null, view: null });
    expect(selectClass(parseState("?class=c"), "c")).toBeNull();
    expect(selectClass(parseState("?class=c&compare=d"), "c")).not.toBeNull();
  });

  it("comparing drops the paths", () => {
    expect(compareWith("d")).toEqual({ cmp: "d", from: null, to: null });
  });

  it("another model starts from the defaults", () => {
    expect(pickModel("other")).toEqual({ ...EMPTY_STATE, model: "other" });
  });

  it("a neurons-per-layer value at the slider's maximum means all", () => {
    expect(filterGraph({ topN: 12 }, 12)).toEqual({ topN: null });
    expect(filterGraph({ topN: 3, minW: 5 }, 12)).toEqual({ topN: 3, minW: 5 });
    expect(filterGraph({ minW: 0 }, 12)).toEqual({ minW: 0 });
  });
});

describe("exploration actions", () => {
  const v = parseState("?model=m&class=a&pin=a:1&pin=b:2&pinEdge=a:1>b:2&prune=0.8");
  const g = (id: string, members: string[]) => ({ id, name: id, color: "#000000", members, open: false });

  it("selecting another class keeps the pins, groups and pruning", () => {
    const patch = selectClass(v, "c")!;
    expect(Object.keys(patch)).not.toContain("pins");
    expect(Object.keys(patch)).not.toContain("groups");
    expect(Object.keys(patch)).not.toContain("prune");
  });
  it("pruning rounds to a percent; 1 turns it off", () => {
    expect(setPrune(0.8349)).toEqual({ prune: 0.83 });
    expect(setPrune(1)).toEqual({ prune: null });
    expect(setPrune(0.5, "pagerank")).toEqual({ prune: 0.5, pruneBy: "pagerank" });
  });
  it("shift-click pins and unpins (dropping the unpinned neuron's edges)", () => {
    expect(togglePin(v, "c:3")).toEqual({ pins: ["a:1", "b:2", "c:3"] });
    expect(togglePin(v, "b:2")).toEqual({ pins: ["a:1"], pinEdges: [] });
  });
  it("a path pins its neurons and edges once", () => {
    expect(pinPath(v, ["a:1", "b:2", "c:3"])).toEqual({ pins: ["a:1", "b:2", "c:3"], pinEdges: ["a:1>b:2", "b:2>c:3"] });
    expect(clearPins()).toEqual({ pins: [], pinEdges: [] });
  });
  it("a neuron is in one group at most", () => {
    const w = { ...v, groups: [g("g1", ["a:1", "a:2"]), g("g2", ["a:3"])] };
    expect(addGroup(w, g("g3", ["a:2", "a:3"])).groups!.map((x) => [x.id, x.members])).toEqual([["g1", ["a:1"]], ["g3", ["a:2", "a:3"]]]);
    expect(updateGroup(w, "g2", { open: true }).groups![1].open).toBe(true);
    expect(removeGroup(w, "g1").groups!.map((x) => x.id)).toEqual(["g2"]);
  });
});
