import { flushSync } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Api } from "../api/loaders";
import type { ClassGraphData, ClassInfo } from "../api/types";
import { SelectTiming } from "../perf/selectTiming";
import { EMPTY_STATE, type ViewState } from "../state/url";
import { GraphData } from "./graph.svelte";

const cls = (index: number): ClassInfo => ({
  index, wnid: `n${index}`, name: `class ${index}`, images: 10, top1Correct: 5, accuracy: 0.5, probHist: [], top1ProbHist: [], faithfulness: null,
});
function graphOf(index: number, perLayer: number): ClassGraphData {
  const nodes = Array.from({ length: perLayer * 2 }, (_, i) => ({
    neuron: { id: `l${i % 2}:${i}`, layer: `l${i % 2}`, layerIndex: i % 2, channel: i }, count: 1, pagerank: 0.1,
  }));
  return { class: cls(index), nodes, edges: [{ src: "l0:0", dst: "l1:1", weight: 3 }] };
}

/** Answers resolved by the test, in any order. */
function controlledApi() {
  const calls: { what: string; args: unknown[]; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
  const call = (what: string) => (...args: unknown[]) => new Promise((resolve, reject) => calls.push({ what, args, resolve, reject }));
  const api = { classGraph: call("classGraph"), classGraphImages: call("classGraphImages"), compare: call("compare") } as unknown as Api;
  return { api, calls, find: (what: string, key: string) => calls.find((c) => c.what === what && c.args[1] === key)! };
}

const settle = async () => { for (let i = 0; i < 5; i++) await Promise.resolve(); flushSync(); };

describe("GraphData (runes, fake API)", () => {
  let destroy: () => void = () => {};
  beforeEach(() => {
    vi.stubGlobal("requestAnimationFrame", (fn: FrameRequestCallback) => setTimeout(() => fn(0), 0));
    vi.spyOn(console, "warn").mockImplementation(() => {});
    vi.spyOn(console, "info").mockImplementation(() => {});
  });
  afterEach(() => { destroy(); vi.unstubAllGlobals(); vi.restoreAllMocks(); });

  function mount(start: Partial<ViewState>) {
    const { api, calls, find } = controlledApi();
    const view = $state<ViewState>({ ...EMPTY_STATE, ...start });
    let data!: GraphData;
    destroy = $effect.root(() => { data = new GraphData(api, () => view, new SelectTiming()); });
    flushSync();
    return { api, calls, find, view, data: () => data };
  }

  it("shows the latest selection's graph even when an older answer arrives last", async () => {
    const t = mount({ cls: "n1", topN: 2 });
    t.view.cls = "n2";
    flushSync();
    expect(t.data().state).toMatchObject({ status: "loading" });
    t.find("classGraph", "n2").resolve(graphOf(2, 2));
    await settle();
    t.find("classGraph", "n1").resolve(graphOf(1, 2));
    await settle();
    expect(t.data().shown?.a.index).toBe(2);
    expect(t.data().state.status).toBe("ready");
  });

  it("after the first frame, loads tile images and the unfiltered graph's ranges for the sliders", async () => {
    const t = mount({ cls: "n1", topN: 2 });
    t.find("classGraph", "n1").resolve(graphOf(1, 2));
    await settle();
    expect(t.calls.map((c) => c.what)).toEqual(["classGraph"]); // nothing competes with the first frame
    await vi.waitFor(() => expect(t.calls.map((c) => c.what)).toEqual(["classGraph", "classGraphImages", "classGraph"]));
    t.calls[1].resolve(new Map([["l0:0", "/media/x.jpg"]]));
    t.calls[2].resolve(graphOf(1, 7));
    await settle();
    expect(t.data().tiles?.get("l0:0")).toBe("/media/x.jpg");
    expect(t.data().maxima.perLayer).toBe(7);
  });

  it("shows a failure of the tile images instead of swallowing it", async () => {
    const t = mount({ cls: "n1" });
    t.find("classGraph", "n1").resolve(graphOf(1, 3));
    await settle();
    expect(t.data().maxima.perLayer).toBe(3); // the unfiltered graph gives the ranges directly
    await vi.waitFor(() => expect(t.calls.map((c) => c.what)).toContain("classGraphImages"));
    t.find("classGraphImages", "n1").reject(new Error("media server down"));
    await settle();
    expect(t.data().tilesError).toBe("media server down");
    expect(console.warn).toHaveBeenCalledWith(expect.stringContaining("tile images"));
  });

  it("no class: idle, and a graph still loading is dropped", async () => {
    const t = mount({ cls: "n1" });
    t.view.cls = null;
    flushSync();
    t.find("classGraph", "n1").resolve(graphOf(1, 2));
    await settle();
    expect(t.data().state.status).toBe("idle");
    expect(t.data().shown).toBeNull();
  });
});
