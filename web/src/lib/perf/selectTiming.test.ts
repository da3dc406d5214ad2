import { afterEach, describe, expect, it, vi } from "vitest";
import { MARKS, MEASURES, SelectTiming } from "./selectTiming";

const info = { ms: 2.5, nodes: 60, edges: 120 };
const last = (name: string) => performance.getEntriesByName(name).at(-1);

describe("SelectTiming (Node's performance API)", () => {
  afterEach(() => {
    performance.clearMarks();
    performance.clearMeasures();
  });

  it("measures select -> data -> drawn for the selected class, once", async () => {
    const log = { info: vi.fn() };
    const timing = new SelectTiming(performance, log);
    timing.selected("n01440764");
    await new Promise((r) => setTimeout(r, 5));
    timing.dataArrived("n01440764");
    const ms = timing.drawn("n01440764", info);
    expect(ms).not.toBeNull();
    expect(ms!).toBeGreaterThanOrEqual(4);
    expect(last(MEASURES.selectToGraph)?.duration).toBe(ms);
    const req = last(MEASURES.selectToData)!.duration, browser = last(MEASURES.dataToDrawn)!.duration;
    expect(req).toBeGreaterThanOrEqual(4);
    expect(req + browser).toBeCloseTo(ms!, 5);
    expect(log.info).toHaveBeenCalledWith(expect.stringContaining("60-node graph drawn in"));
    // The next frame of the same graph is not a new measurement.
    expect(timing.drawn("n01440764", info)).toBeNull();
    expect(performance.getEntriesByName(MEASURES.selectToGraph)).toHaveLength(1);
  });

  it("ignores the data and drawing of another class (the previous graph, or a graph still loading)", () => {
    const timing = new SelectTiming(performance, { info: vi.fn() });
    timing.selected("B");
    timing.dataArrived("A");
    expect(performance.getEntriesByName(MARKS.data)).toHaveLength(0);
    expect(timing.drawn("A", info)).toBeNull();
    expect(timing.drawn(null, info)).toBeNull();
    expect(timing.drawn("B", info)).not.toBeNull();
  });

  it("without a data mark it still measures the whole, not the split", () => {
    const timing = new SelectTiming(performance, { info: vi.fn() });
    timing.selected("C");
    expect(timing.drawn("C", info)).not.toBeNull();
    expect(performance.getEntriesByName(MEASURES.selectToData)).toHaveLength(0);
  });

  it("nothing is measured without a selection", () => {
    const timing = new SelectTiming(performance, { info: vi.fn() });
    expect(timing.drawn("A", info)).toBeNull();
  });
});
