import { describe, expect, it } from "vitest";
import type { ClassInfo, FaithfulnessSummary } from "../api/types";
import { beatsMostActive, classHistogram, fidelityLine, formatInterval, isSummitProfile } from "./fidelity";

const cls: ClassInfo = {
  index: 1, wnid: "n00000001", name: "tench", images: 4, top1Correct: 3, accuracy: 0.75,
  probHist: [1, ...new Array(19).fill(0)], top1ProbHist: [...new Array(19).fill(0), 4], faithfulness: null,
};
const iv = (mean: number, low: number, high: number) => ({ mean, low, high });
const summary = (minus: [number, number, number]): FaithfulnessSummary => ({
  graphMethod: "summit", heldOut: true, graphData: "a", ablationData: "b", sharedImages: 0, classes: 725,
  images: 725, meanGraphNeurons: 25.8,
  probDrop: { graph: iv(0.421, 0.399, 0.444), active: iv(0.349, 0.33, 0.37), random: iv(0.211, 0.2, 0.22),
    graphMinusActive: iv(...minus) },
});

describe("graph profile and histogram", () => {
  it("knows Summit's profiles", () => {
    expect(isSummitProfile("summit")).toBe(true);
    expect(isSummitProfile("summit-unified")).toBe(true);
    expect(isSummitProfile("summit+")).toBe(true);
    expect(isSummitProfile("explorer")).toBe(false);
    expect(isSummitProfile("")).toBe(false);
  });
  it("shows the top-1 confidence under Summit's profiles, the true-class probability otherwise", () => {
    expect(classHistogram(cls, "summit")).toEqual({ bins: cls.top1ProbHist, kind: "top1" });
    expect(classHistogram(cls, "explorer")).toEqual({ bins: cls.probHist, kind: "true" });
    expect(classHistogram({ ...cls, top1ProbHist: [] }, "summit").kind).toBe("true");
    expect(classHistogram({ ...cls, top1ProbHist: null }, "summit").kind).toBe("true");
    expect(classHistogram({ ...cls, probHist: null, top1ProbHist: null }, "summit").bins).toBe(null);
  });
});

describe("faithfulness line", () => {
  it("formats means with intervals", () => {
    expect(formatInterval(iv(0.421, 0.3994, 0.4441))).toBe("0.421 [0.399, 0.444]");
    expect(formatInterval({ mean: null, low: null, high: null })).toBe("–");
    const line = fidelityLine(summary([0.07, 0.05, 0.09]));
    expect(line).toContain("held out, 725 classes");
    expect(line).toContain("0.421 [0.399, 0.444] (graph)");
    expect(line).toContain("0.349 [0.330, 0.370] (most active)");
    expect(fidelityLine({ ...summary([0, 0, 0]), heldOut: false })).toContain("in-sample");
  });
  it("says whether the graph beats the most active neurons", () => {
    expect(beatsMostActive(summary([0.07, 0.05, 0.09]))).toBe(true);
    expect(beatsMostActive(summary([-0.07, -0.09, -0.05]))).toBe(false);
    expect(beatsMostActive(summary([0.01, -0.01, 0.03]))).toBe(null);
  });
});
