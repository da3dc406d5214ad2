import { flushSync } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Api } from "../api/loaders";
import type { ImageGraphData, ImageGraphSupportData } from "../api/types";
import { ImageGraphStore, type ImageGraphTarget } from "./imageGraph.svelte";

const settle = async () => { for (let i = 0; i < 8; i++) await Promise.resolve(); flushSync(); };
const SUPPORT: ImageGraphSupportData = { available: true, reason: null, datasetImages: true, uploads: true, maxUploadBytes: 1000 };

function answer(image: string, key: string, personalization: "IMAGE" | "CLASS"): ImageGraphData {
  return {
    image, personalization, sharedNodes: 1, classNodes: 2, preview: "data:", seconds: 0.1,
    class: { index: Number(key), wnid: "n", name: "c" }, label: null, predictions: [],
    nodes: [{ neuron: { id: "l:1", layer: "l", layerIndex: 0, channel: 1, image: null }, count: 1, pagerank: 1, inClassGraph: true }],
    edges: [],
  };
}

function fakeApi(support = SUPPORT) {
  return {
    imageGraphSupport: vi.fn(async () => support),
    classExampleImages: vi.fn(async (_m: string | null, key: string) => ({
      nodes: [{ pagerank: 1, neuron: { id: "l:1", examples: [{ image: `img-of-${key}.jpg`, url: "/media/p.jpg" }] } }],
    })),
    imageGraph: vi.fn(async (_m: string | null, image: string, key: string, p: "IMAGE" | "CLASS") => answer(image, key, p)),
  };
}

describe("ImageGraphStore (runes, fake API)", () => {
  let destroy: () => void = () => {};
  afterEach(() => { destroy(); vi.restoreAllMocks(); });

  function make(api: ReturnType<typeof fakeApi>, target: ImageGraphTarget, upload = vi.fn()) {
    let s!: ImageGraphStore;
    destroy = $effect.root(() => { s = new ImageGraphStore(api as unknown as Api, () => target, upload); });
    flushSync();
    return s;
  }

  it("asks nothing until opened, then the graph of the picked image for the class shown, again when the class changes", async () => {
    const api = fakeApi();
    const target = $state<ImageGraphTarget>({ model: "m", cls: "3" });
    const s = make(api, target);
    await settle();
    expect(api.imageGraphSupport).not.toHaveBeenCalled();
    s.toggle();
    await settle();
    expect(s.support).toEqual(SUPPORT);
    expect(s.choicesState).toMatchObject({ status: "ready", value: [{ image: "img-of-3.jpg" }] });
    expect(api.imageGraph).not.toHaveBeenCalled();
    s.pick("img-of-3.jpg");
    await settle();
    expect(api.imageGraph.mock.calls).toEqual([["m", "img-of-3.jpg", "3", "IMAGE"]]);
    expect(s.graph?.class.index).toBe(3);
    expect(s.viewGraph?.nodes[0].group).toBe("shared");
    expect([...s.highlight!.nodes]).toEqual(["l:1"]);
    target.cls = "5";
    flushSync();
    s.personalize("CLASS");
    await settle();
    expect(api.imageGraph.mock.calls.at(-1)).toEqual(["m", "img-of-3.jpg", "5", "CLASS"]);
    expect(s.graph?.personalization).toBe("CLASS");
    s.toggle();
    await settle();
    expect(s.highlight).toBeNull();
    expect(s.graph).toBeNull();
  });

  it("forgets the image for another model and says why the feature is off", async () => {
    const api = fakeApi({ ...SUPPORT, available: false, reason: "image graphs are off", datasetImages: false, uploads: false });
    const target = $state<ImageGraphTarget>({ model: "m", cls: "1" });
    const s = make(api, target);
    s.toggle();
    s.pick("x.jpg");
    await settle();
    target.model = "other";
    await settle();
    expect(s.image).toBeNull();
    expect(s.support?.reason).toBe("image graphs are off");
    expect(api.classExampleImages).not.toHaveBeenCalled();
  });

  it("uploads a file and picks it; a file the server would refuse never leaves", async () => {
    const api = fakeApi();
    const upload = vi.fn(async () => ({ image: "upload:abc", bytes: 3, format: "png", width: 1, height: 1 }));
    const s = make(api, { model: "m", cls: "1" }, upload);
    s.toggle();
    await settle();
    await s.uploadFile(new File([new Uint8Array(2000)], "big.png", { type: "image/png" }));
    expect(s.uploadRefused).toBe("big.png is 2,000 bytes; the server accepts at most 1,000");
    expect(upload).not.toHaveBeenCalled();
    await s.uploadFile(new File([new Uint8Array(3)], "ok.png", { type: "image/png" }));
    await settle();
    expect(s.uploadRefused).toBeNull();
    expect(s.image).toBe("upload:abc");
    expect(api.imageGraph.mock.calls.at(-1)).toEqual(["m", "upload:abc", "1", "IMAGE"]);
  });
});
