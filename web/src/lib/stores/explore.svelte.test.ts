import { flushSync } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Api } from "../api/loaders";
import type { NoteData } from "../api/types";
import { ExploreData, noteKey, type ExploreTarget } from "./explore.svelte";
import { FakeFrames } from "./fakeFrames";

const note = (target: string, text: string, kind: NoteData["kind"] = "NEURON"): NoteData =>
  ({ kind, target, neurons: [target], text, updated: "2026-12-05T00:00:00.000+00:00" });

describe("ExploreData (runes, fake API)", () => {
  let destroy: () => void = () => {};
  const frames = new FakeFrames();
  beforeEach(() => frames.install());
  afterEach(() => { destroy(); vi.unstubAllGlobals(); vi.restoreAllMocks(); });
  const settle = () => frames.next(5);

  function make(api: Partial<Api>, t: ExploreTarget) {
    const full = { canWrite: vi.fn(async () => true), notes: vi.fn(async () => []), suggestedGroups: vi.fn(async () => []),
      classesContaining: vi.fn(async () => []), ...api } as unknown as Api;
    let s!: ExploreData;
    destroy = $effect.root(() => { s = new ExploreData(full, () => t); });
    flushSync();
    return { s, api: full };
  }

  it("asks for notes and suggestions once per model after a frame; classes containing when pins change", async () => {
    const t = $state<ExploreTarget>({ model: null, modelId: "m1", pins: [], pinEdges: [] });
    const notes = vi.fn(async () => [note("a:1", "edges")]);
    const classesContaining = vi.fn(async () => [{ class: { index: 3, wnid: "n3", name: "c3" }, mass: 0.5 }]);
    const { s } = make({ notes, classesContaining }, t);
    expect(notes).not.toHaveBeenCalled();
    await settle();
    expect(notes).toHaveBeenCalledTimes(1);
    expect(s.notes.get(noteKey("NEURON", "a:1"))?.text).toBe("edges");
    expect(s.canWrite).toBe(true);
    expect(classesContaining).not.toHaveBeenCalled();
    t.pins = ["a:1"];
    flushSync();
    await settle();
    expect(classesContaining.mock.calls).toEqual([[null, ["a:1"], []]]);
    expect(s.containing?.map((c) => c.class.index)).toEqual([3]);
    t.pins = [];
    flushSync();
    expect(s.containing).toBeNull();
    expect(notes).toHaveBeenCalledTimes(1);
  });

  it("saves and deletes notes; a refused write is shown, not swallowed", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const t = $state<ExploreTarget>({ model: "m1", modelId: "m1", pins: [], pinEdges: [] });
    const setNote = vi.fn(async (_m: string, kind: NoteData["kind"], target: string, text: string) => note(target, text, kind));
    const deleteNote = vi.fn(async () => true);
    const { s } = make({ setNote, deleteNote }, t);
    await settle();
    expect(await s.saveNote("NEURON", "b:2", null, "curves")).toBe(true);
    expect(setNote.mock.calls[0]).toEqual(["m1", "NEURON", "b:2", "curves", null]);
    expect(s.notes.get("NEURON|b:2")?.text).toBe("curves");
    expect(await s.deleteNote("NEURON", "b:2")).toBe(true);
    expect(s.notes.size).toBe(0);
    setNote.mockRejectedValueOnce(new Error("this request may not change notes"));
    expect(await s.saveNote("NEURON", "b:2", null, "x")).toBe(false);
    expect(s.saveError).toBe("this request may not change notes");
  });

  it("a view file's notes show where the server has none", async () => {
    const t = $state<ExploreTarget>({ model: "m1", modelId: "m1", pins: [], pinEdges: [] });
    const { s } = make({ notes: vi.fn(async () => [note("a:1", "server")]) }, t);
    await settle();
    s.fileNotes = [{ ...note("a:1", "file"), neurons: ["a:1"] }, { ...note("g1", "group from file", "GROUP"), neurons: ["a:1", "a:2"] }];
    flushSync();
    expect(s.notes.get("NEURON|a:1")).toMatchObject({ text: "server", fromFile: false });
    expect(s.notes.get("GROUP|g1")).toMatchObject({ text: "group from file", fromFile: true });
  });
});
