import { flushSync } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Api } from "../api/loaders";
import type { ModelInfo } from "../api/types";
import { EMPTY_STATE, type ViewState } from "../state/url";
import { Catalog } from "./catalog.svelte";

const model = (id: string): ModelInfo => ({
  id, name: id, dataset: "d", images: 1, top1Accuracy: 0.5, graphMethod: "summit", faithfulness: null,
  layers: [{ name: "l1", index: 1, channels: 4 }, { name: "l0", index: 0, channels: 4 }],
});
const settle = async () => { for (let i = 0; i < 6; i++) await Promise.resolve(); flushSync(); };

describe("Catalog (runes, fake API)", () => {
  let destroy: () => void = () => {};
  beforeEach(() => { vi.spyOn(console, "warn").mockImplementation(() => {}); });
  afterEach(() => { destroy(); vi.restoreAllMocks(); });

  it("shows the layers whose embedding loaded and names the layer that failed", async () => {
    const api = {
      models: async () => [],
      model: async (id: string | null) => model(id ?? "m"),
      classes: async () => ({ total: 1, classes: [] }),
      embedding: async (_m: string | null, layer: string) => {
        if (layer === "l1") throw new Error("embedding table missing");
        return [{ classIndex: 0, layer, x: 0, y: 0 }, { classIndex: 1, layer, x: 2, y: 1 }];
      },
    } as unknown as Api;
    const view = $state<ViewState>({ ...EMPTY_STATE });
    let c!: Catalog;
    destroy = $effect.root(() => { c = new Catalog(api, () => view); });
    flushSync();
    await settle();
    expect(c.info?.id).toBe("m");
    expect(c.embeddingLayers).toEqual(["l0"]);
    expect([...c.embeddings!.failed]).toEqual([["l1", "embedding table missing"]]);
    expect(c.embeddingsPending).toBe(0);
    expect(console.warn).toHaveBeenCalledWith(expect.stringMatching(/layer l1 .*embedding table missing/));
  });

  it("a model switch drops the previous model's late answers", async () => {
    const pending: Record<string, (v: ModelInfo) => void> = {};
    const api = {
      models: async () => [],
      model: (id: string | null) => new Promise<ModelInfo>((r) => { pending[id ?? ""] = r; }),
      classes: async (id: string | null) => ({ total: 1, classes: [{ index: 0, wnid: `${id}-c`, name: "c" }] }),
      embedding: async () => [],
    } as unknown as Api;
    const view = $state<ViewState>({ ...EMPTY_STATE, model: "a" });
    let c!: Catalog;
    destroy = $effect.root(() => { c = new Catalog(api, () => view); });
    flushSync();
    view.model = "b";
    flushSync();
    pending.b(model("b"));
    await settle();
    pending.a(model("a"));
    await settle();
    expect(c.info?.id).toBe("b");
    expect(c.classes.map((x) => x.wnid)).toEqual(["b-c"]);
  });
});
