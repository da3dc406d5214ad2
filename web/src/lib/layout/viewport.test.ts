import { describe, expect, it } from "vitest";
import { fitBounds, formatTransform, panBy, panIntoView, parseTransform, toScreen, toWorld, zoomAt } from "./viewport";

describe("viewport", () => {
  it("round-trips world/screen", () => {
    const t = { k: 2, x: 10, y: -5 };
    const [sx, sy] = toScreen(t, 3, 4);
    expect([sx, sy]).toEqual([16, 3]);
    expect(toWorld(t, sx, sy)).toEqual([3, 4]);
  });
  it("zoomAt keeps the cursor point fixed and clamps", () => {
    const t = { k: 1, x: 0, y: 0 };
    const z = zoomAt(t, 2, 100, 50);
    expect(toWorld(z, 100, 50)).toEqual(toWorld(t, 100, 50));
    expect(z.k).toBe(2);
    expect(zoomAt(t, 1000, 0, 0, 0.1, 8).k).toBe(8);
  });
  it("pans", () => {
    expect(panBy({ k: 2, x: 1, y: 1 }, 5, -1)).toEqual({ k: 2, x: 6, y: 0 });
  });
  it("fits bounds centred inside the viewport", () => {
    const t = fitBounds({ x0: 0, y0: 0, x1: 1000, y1: 500 }, 520, 520, 10);
    expect(t.k).toBeCloseTo(0.5);
    const [cx, cy] = toScreen(t, 500, 250);
    expect(cx).toBeCloseTo(260);
    expect(cy).toBeCloseTo(260);
  });
  it("formats and parses for the URL, rejecting junk", () => {
    const s = formatTransform({ k: 1.23456, x: 10.4, y: -3.6 });
    expect(s).toBe("1.2346,10,-4");
    expect(parseTransform(s)).toEqual({ k: 1.2346, x: 10, y: -4 });
    expect(parseTransform("a,b,c")).toBeNull();
    expect(parseTransform("0,1,2")).toBeNull();
    expect(parseTransform(null)).toBeNull();
  });
});

describe("panIntoView", () => {
  it("pans the least needed to show a box, and not at all when it is visible", () => {
    const t = { k: 2, x: 0, y: 0 };
    expect(panIntoView(t, { x0: 10, y0: 10, x1: 20, y1: 20 }, 400, 300, 10)).toEqual(t);
    // Below the viewport: bottom edge lands at h - margin.
    const below = panIntoView(t, { x0: 10, y0: 200, x1: 20, y1: 210 }, 400, 300, 10);
    expect(below.y).toBe(300 - 10 - 420);
    expect(below.x).toBe(0);
    // Left of the gutter: left edge lands at the gutter.
    const left = panIntoView({ k: 1, x: -100, y: 0 }, { x0: 50, y0: 10, x1: 60, y1: 20 }, 400, 300, 10, 104);
    expect(left.x).toBe(104 - 50);
  });
});
