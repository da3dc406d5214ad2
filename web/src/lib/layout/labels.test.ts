import { describe, expect, it } from "vitest";
import { placeLabels, type LabelCandidate } from "./labels";

const view = { x0: 0, y0: 0, x1: 300, y1: 300 };
const cand = (x: number, y: number, w = 60, force = false): LabelCandidate => ({ x, y, r: 3, w, h: 12, force });
const overlap = (a: { x0: number; y0: number; x1: number; y1: number }, b: typeof a) =>
  a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

describe("placeLabels", () => {
  it("places far-apart labels to the right of their points", () => {
    const out = placeLabels([cand(10, 10), cand(10, 100), cand(100, 200)], view);
    expect(out.map((p) => p.index)).toEqual([0, 1, 2]);
    for (const p of out) expect(p.align).toBe("left");
  });
  it("never lets two placed labels overlap when many points are close", () => {
    const cs = Array.from({ length: 40 }, (_, i) => cand(100 + (i % 5) * 4, 100 + Math.floor(i / 5) * 5));
    const out = placeLabels(cs, view);
    expect(out.length).toBeGreaterThan(0);
    expect(out.length).toBeLessThan(cs.length);
    for (let i = 0; i < out.length; i++) for (let j = i + 1; j < out.length; j++) expect(overlap(out[i].box, out[j].box)).toBe(false);
  });
  it("keeps air between side-by-side labels", () => {
    // a's label spans 157..217; b (near the right edge) can only label to its left: 219..279 (2 px of air) is refused.
    expect(placeLabels([cand(150, 100), cand(286, 100)], view).map((p) => p.index)).toEqual([0]);
    // 5 px of air is enough.
    expect(placeLabels([cand(150, 100), cand(289, 100)], view).map((p) => p.index)).toEqual([0, 1]);
  });
  it("uses the left side when the right is taken or outside the view", () => {
    const out = placeLabels([cand(100, 100), cand(98, 102), cand(280, 50)], view);
    expect(out.find((p) => p.index === 1)?.align).toBe("right");
    expect(out.find((p) => p.index === 2)?.align).toBe("right");
  });
  it("earlier (priority) candidates win; forced ones are always placed", () => {
    const out = placeLabels([cand(100, 100), cand(100, 101, 60, false), cand(100, 100, 60, false), cand(101, 100, 60, true)], view);
    const idx = out.map((p) => p.index);
    expect(idx).toContain(0);
    expect(idx).toContain(3);
  });
});
