import { flushSync } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Api } from "../api/loaders";
import { FakeFrames } from "./fakeFrames";
import { Similarity } from "./similarity.svelte";

describe("Similarity (runes, fake API)", () => {
  let destroy: () => void = () => {};
  const frames = new FakeFrames();
  beforeEach(() => frames.install());
  afterEach(() => { destroy(); vi.unstubAllGlobals(); vi.restoreAllMocks(); });
  const nextFrame = () => frames.next();

  it("asks only once the graph has settled and a frame was drawn; a class changed meanwhile is never asked for", async () => {
    const similarity = vi.fn(async (_m: string | null, i: number) => new Map([[i, 1]]));
    const api = { similarity } as unknown as Api;
    const t = $state({ model: "m" as string | null, index: 1 as number | null, ready: true, settled: false });
    let s!: Similarity;
    destroy = $effect.root(() => { s = new Similarity(api, () => ({ model: t.model, index: t.index, ready: t.ready }), () => t.settled); });
    flushSync();
    await nextFrame();
    expect(similarity).not.toHaveBeenCalled(); // the graph is still loading
    t.settled = true;
    flushSync();
    t.index = 2; // selected another class before the frame
    flushSync();
    expect(similarity).not.toHaveBeenCalled();
    await nextFrame();
    expect(similarity.mock.calls).toEqual([["m", 2]]);
    expect(s.value).toEqual(new Map([[2, 1]]));
    t.index = null;
    flushSync();
    expect(s.value).toBeNull();
  });

  it("shows a failure instead of swallowing it", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const api = { similarity: async () => { throw new Error("similarity index missing"); } } as unknown as Api;
    let s!: Similarity;
    destroy = $effect.root(() => { s = new Similarity(api, () => ({ model: null, index: 0, ready: true }), () => true); });
    flushSync();
    await nextFrame();
    expect(s.error).toBe("similarity index missing");
    expect(console.warn).toHaveBeenCalledWith("summit: cannot load class similarity ([null,0]): similarity index missing");
  });
});
