import { flushSync } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Api } from "../api/loaders";
import { EMPTY_STATE, type ViewState } from "../state/url";
import { NeuronData } from "./neuron.svelte";

const settle = async () => { for (let i = 0; i < 6; i++) await Promise.resolve(); flushSync(); };

describe("NeuronData (runes, fake API)", () => {
  let destroy: () => void = () => {};
  afterEach(() => { destroy(); vi.restoreAllMocks(); });

  it("loads example patches once per neuron, and afresh for another model", async () => {
    const examples = vi.fn(async (m: string | null, id: string) => [{ rank: 1, image: `${m}/${id}`, score: 1, url: "u" }]);
    const api = { examples } as unknown as Api;
    const view = $state<ViewState>({ ...EMPTY_STATE, model: "a" });
    let n!: NeuronData;
    destroy = $effect.root(() => { n = new NeuronData(api, () => view); });
    flushSync();
    n.loadExamples(["x:1", "x:2"]);
    n.loadExamples(["x:1"]);
    await settle();
    expect(examples).toHaveBeenCalledTimes(2);
    expect(n.examples.get("x:1")).toMatchObject({ status: "ready", value: [{ image: "a/x:1" }] });
    view.model = "b";
    flushSync();
    expect(n.examples.size).toBe(0);
    n.loadExamples(["x:1"]);
    await settle();
    expect(n.examples.get("x:1")).toMatchObject({ status: "ready", value: [{ image: "b/x:1" }] });
  });

  it("shows a failed neuron detail request as the panel's error", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const api = { neuron: async () => { throw new Error("no neuron 'q:9'"); } } as unknown as Api;
    const view = $state<ViewState>({ ...EMPTY_STATE, neuron: "q:9" });
    let n!: NeuronData;
    destroy = $effect.root(() => { n = new NeuronData(api, () => view); });
    flushSync();
    await settle();
    expect(n.detailError).toBe("no neuron 'q:9'");
    view.neuron = null;
    flushSync();
    expect(n.detailError).toBeNull();
  });
});
