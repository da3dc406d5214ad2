import { describe, expect, it } from "vitest";
import { compareWith, filterGraph, pickModel, selectClass } from "./actions";
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
