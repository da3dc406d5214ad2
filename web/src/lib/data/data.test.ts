import { describe, expect, it } from "vitest";
import type { ClassInfo, ComparisonData, NeuronRef } from "../api/types";
import { findClass, formatMeasured, formatPercent, histogramHeights, matchesClass, NOT_PUBLISHED, shapeClasses, virtualWindow } from "./classes";
import { ease, interpolate, nearest, normalise } from "./embedding";
import {
  edgeKey, fromClassGraph, fromComparison, graphRanges, groupCounts, maxPerLayer, maxWeight, neighbourhood, pathHighlight, sliderMaxima,
} from "./graph";

const cls = (index: number, name: string, accuracy: number): ClassInfo => ({
  index, wnid: `n0000${index}`, name, images: 10, top1Correct: Math.round(accuracy * 10), accuracy,
  probHist: new Array(20).fill(0), top1ProbHist: [], faithfulness: null,
});
const ref = (id: string): NeuronRef => {
  const [layer, ch] = id.split(":");
  return { id, layer, layerIndex: Number(layer.slice(1)), channel: Number(ch), image: null };
};

describe("class list shaping", () => {
  const list = [cls(0, "tench", 0.9), cls(1, "goldfish", 0.5), cls(2, "great white shark", 0.7)];
  it("searches by name, wnid and index", () => {
    expect(matchesClass(list[1], "GOLD")).toBe(true);
    expect(matchesClass(list[1], "n00001")).toBe(true);
    expect(matchesClass(list[1], "1")).toBe(true);
    expect(matchesClass(list[1], "shark")).toBe(false);
    expect(shapeClasses(list, "shark", "index", null).map((c) => c.index)).toEqual([2]);
  });
  it("sorts by name, accuracy and similarity", () => {
    expect(shapeClasses(list, "", "name", null).map((c) => c.name)).toEqual(["goldfish", "great white shark", "tench"]);
    expect(shapeClasses(list, "", "accuracy", null).map((c) => c.index)).toEqual([0, 2, 1]);
    expect(shapeClasses(list, "", "accuracy", null, true).map((c) => c.index)).toEqual([1, 2, 0]);
    const sim = new Map([[0, 1], [1, 0.2], [2, 0.8]]);
    expect(shapeClasses(list, "", "similarity", sim).map((c) => c.index)).toEqual([0, 2, 1]);
    expect(shapeClasses(list, "", "similarity", new Map([[1, 0.3]])).map((c) => c.index)).toEqual([1, 0, 2]);
  });
  it("puts classes whose accuracy is not published last, in either direction", () => {
    const unknown: ClassInfo = { ...cls(3, "white wolf", 0), images: null, top1Correct: null, accuracy: null, probHist: null };
    const mixed = [unknown, ...list];
    expect(shapeClasses(mixed, "", "accuracy", null).map((c) => c.index)).toEqual([0, 2, 1, 3]);
    expect(shapeClasses(mixed, "", "accuracy", null, true).map((c) => c.index)).toEqual([1, 2, 0, 3]);
  });
  it("says 'not published' for a null measurement, never 0 %", () => {
    expect(formatMeasured(null)).toBe(NOT_PUBLISHED);
    expect(formatMeasured(0)).toBe("0.0%");
    expect(formatMeasured(0.834, 0)).toBe("83%");
  });
  it("virtual window covers the viewport plus overscan", () => {
    const w = virtualWindow(500, 200, 25, 1000, 2);
    expect(w.first).toBe(18);
    expect(w.last).toBe(30);
    expect(w.padTop).toBe(450);
    expect(w.padBottom).toBe((1000 - 30) * 25);
    expect(virtualWindow(0, 200, 25, 3).last).toBe(3);
  });
  it("finds a class by wnid, index or name", () => {
    expect(findClass(list, "n00002")?.name).toBe("great white shark");
    expect(findClass(list, "1")?.name).toBe("goldfish");
    expect(findClass(list, "tench")?.index).toBe(0);
    expect(findClass(list, "zzz")).toBeNull();
    expect(findClass(list, null)).toBeNull();
  });
  it("histogram heights and percentages", () => {
    expect(histogramHeights([0, 2, 4])).toEqual([0, 0.5, 1]);
    expect(histogramHeights([0, 0])).toEqual([0, 0]);
    expect(formatPercent(0.1234)).toBe("12.3%");
    expect(formatPercent(null)).toBe("–");
  });
});

describe("graph shaping", () => {
  const g = fromClassGraph({
    class: cls(0, "tench", 1),
    nodes: [
      { neuron: ref("l0:1"), count: 5, pagerank: 0.1 }, { neuron: ref("l0:2"), count: 3, pagerank: 0.2 },
      { neuron: ref("l1:7"), count: 9, pagerank: 0.3 },
    ],
    edges: [{ src: "l0:1", dst: "l1:7", weight: 4 }, { src: "l0:2", dst: "l1:7", weight: 2 }],
  });
  it("converts a class graph", () => {
    expect(g.nodes.map((n) => [n.id, n.layerIndex, n.group])).toEqual([["l0:1", 0, "single"], ["l0:2", 0, "single"], ["l1:7", 1, "single"]]);
    expect(maxPerLayer(g)).toBe(2);
    expect(maxWeight(g)).toBe(4);
  });
  it("slider maxima: the unfiltered graph's when known, else the shown graph's, never below the setting", () => {
    expect(graphRanges(g)).toEqual({ perLayer: 2, maxW: 4 });
    expect(sliderMaxima({ perLayer: 12, maxW: 30 }, g, null, 0)).toEqual({ perLayer: 12, weight: 30 });
    expect(sliderMaxima(null, g, null, 0)).toEqual({ perLayer: 2, weight: 4 });
    expect(sliderMaxima(null, g, 5, 9)).toEqual({ perLayer: 5, weight: 9 });
    expect(sliderMaxima(null, null, null, 0)).toEqual({ perLayer: 1, weight: 1 });
  });
  it("neighbourhood is the node and its direct neighbours", () => {
    expect([...neighbourhood(g, "l0:1")].sort()).toEqual(["l0:1", "l1:7"]);
    expect([...neighbourhood(g, "l1:7")].sort()).toEqual(["l0:1", "l0:2", "l1:7"]);
  });
  it("merges a comparison into groups", () => {
    const c: ComparisonData = {
      a: cls(0, "tench", 1), b: cls(1, "goldfish", 1),
      shared: [{ neuron: ref("l0:1"), countA: 2, countB: 3, pagerankA: 0.1, pagerankB: 0.3 }],
      onlyA: [{ neuron: ref("l1:2"), countA: 4, countB: null, pagerankA: 0.2, pagerankB: null }],
      onlyB: [{ neuron: ref("l1:3"), countA: null, countB: 1, pagerankA: null, pagerankB: 0.1 }],
      edges: [{ src: "l0:1", dst: "l1:2", weightA: 5, weightB: null }, { src: "l0:1", dst: "l1:3", weightA: 1, weightB: 2 }],
    };
    const v = fromComparison(c);
    expect(v.nodes.map((n) => [n.id, n.group, n.count])).toEqual([["l0:1", "shared", 5], ["l1:2", "a", 4], ["l1:3", "b", 1]]);
    expect(v.edges.map((e) => [e.group, e.weight])).toEqual([["a", 5], ["shared", 2]]);
    expect(groupCounts(v)).toEqual({ single: 0, shared: 1, a: 1, b: 1 });
  });
  it("path highlight covers nodes and both edge directions", () => {
    const h = pathHighlight([{ neurons: ["a:1", "b:2", "c:3"] }]);
    expect([...h.nodes]).toEqual(["a:1", "b:2", "c:3"]);
    expect(h.edges.has(edgeKey({ src: "a:1", dst: "b:2" }))).toBe(true);
    expect(h.edges.has(edgeKey({ src: "c:3", dst: "b:2" }))).toBe(true);
    expect(h.edges.has(edgeKey({ src: "a:1", dst: "c:3" }))).toBe(false);
  });
});

describe("embedding maths", () => {
  const pts = [{ classIndex: 0, layer: "l", x: 10, y: 0 }, { classIndex: 1, layer: "l", x: 30, y: 10 }];
  it("normalises into the unit square preserving aspect", () => {
    const m = normalise(pts);
    expect(m.get(0)).toEqual({ x: 0, y: 0.25 });
    expect(m.get(1)).toEqual({ x: 1, y: 0.75 });
  });
  it("interpolates and eases", () => {
    const a = new Map([[0, { x: 0, y: 0 }]]), b = new Map([[0, { x: 1, y: 2 }], [1, { x: 5, y: 5 }]]);
    const m = interpolate(a, b, 0.5);
    expect(m.get(0)).toEqual({ x: 0.5, y: 1 });
    expect(m.get(1)).toEqual({ x: 5, y: 5 });
    expect(ease(0)).toBe(0);
    expect(ease(1)).toBe(1);
    expect(ease(0.5)).toBeCloseTo(0.5);
  });
  it("nearest point within a radius", () => {
    const m = normalise(pts);
    expect(nearest(m, 0.95, 0.7, 0.1)).toBe(1);
    expect(nearest(m, 0.5, 0.5, 0.1)).toBeNull();
  });
});
