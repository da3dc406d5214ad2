import { describe, expect, it } from "vitest";
import { distToCurve, distToSegment, edgeCurve, edgeCurves, edgeWidth, nearestCurve, pointOnCurve } from "./curves";

describe("curves", () => {
  const lower = { x: 0, y: 200, size: 40 };
  const upper = { x: 100, y: 0, size: 20 };
  it("runs from the top of the lower tile to the bottom of the upper tile", () => {
    const c = edgeCurve(upper, lower);
    expect(c.p0).toEqual({ x: 0, y: 180 });
    expect(c.p3).toEqual({ x: 100, y: 10 });
    expect(pointOnCurve(c, 0)).toEqual(c.p0);
    const end = pointOnCurve(c, 1);
    expect(end.x).toBeCloseTo(100);
    expect(end.y).toBeCloseTo(10);
  });
  it("hit-tests: near the midpoint is close, far away is far", () => {
    const c = edgeCurve(lower, upper);
    const mid = pointOnCurve(c, 0.5);
    expect(distToCurve(mid, c)).toBeLessThan(1);
    expect(distToCurve({ x: mid.x + 30, y: mid.y }, c)).toBeGreaterThan(10);
    expect(distToCurve({ x: 1000, y: 1000 }, c)).toBeGreaterThan(500);
  });
  it("segment distance", () => {
    expect(distToSegment({ x: 5, y: 3 }, { x: 0, y: 0 }, { x: 10, y: 0 })).toBe(3);
    expect(distToSegment({ x: -4, y: 3 }, { x: 0, y: 0 }, { x: 10, y: 0 })).toBe(5);
  });
  it("edge width grows with weight within bounds", () => {
    expect(edgeWidth(0, 100)).toBe(1);
    expect(edgeWidth(100, 100)).toBe(9);
    expect(edgeWidth(25, 100)).toBe(5);
    expect(edgeWidth(3, 0)).toBe(1);
  });
  it("edgeCurves: one curve per edge with both ends placed, widths scaled to the heaviest edge", () => {
    const nodes = new Map([["a", lower], ["b", upper], ["c", { x: 200, y: 0, size: 20 }]]);
    const edges = [{ src: "a", dst: "b", weight: 100 }, { src: "a", dst: "c", weight: 25 }, { src: "a", dst: "missing", weight: 400 }];
    const cs = edgeCurves(edges, nodes);
    expect(cs.map((c) => c.e.dst)).toEqual(["b", "c"]);
    expect(cs[0].c).toEqual(edgeCurve(lower, upper));
    // The unplaced edge still counts as the heaviest (widths compare across the whole graph).
    expect(cs[0].w).toBe(edgeWidth(100, 400));
  });
  it("nearestCurve: the closest stroke within the tolerance, measured from the stroke's edge", () => {
    const left = { c: edgeCurve({ x: 0, y: 200, size: 20 }, { x: 0, y: 0, size: 20 }), w: 2, id: "left" };
    const right = { c: edgeCurve({ x: 40, y: 200, size: 20 }, { x: 40, y: 0, size: 20 }), w: 9, id: "right" };
    expect(nearestCurve([left, right], { x: 3, y: 100 }, 5)?.id).toBe("left");
    expect(nearestCurve([left, right], { x: 33, y: 100 }, 5)?.id).toBe("right"); // 7 px from the centre line, inside the thick stroke
    expect(nearestCurve([left, right], { x: 20, y: 100 }, 5)).toBeNull();
  });
});
