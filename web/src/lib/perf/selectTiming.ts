/**
 * "Select a class -> its graph is drawn" timing, with the browser's
 * performance marks (the e2e benchmark reads the measures by name):
 *
 *   summit:select -> summit:graph-data -> summit:graph-drawn
 *   measures: summit:select-to-graph (whole), summit:select-to-data (server and
 *   network), summit:data-to-drawn (layout and drawing in the browser).
 *
 * One measurement per selection: `selected(key)` starts it, `dataArrived(key)`
 * marks the answer, `drawn(key, info)` finishes it when the graph drawn is the
 * one selected. Tested in selectTiming.test.ts with Node's `performance`.
 */

export const MARKS = { select: "summit:select", data: "summit:graph-data", drawn: "summit:graph-drawn" } as const;
export const MEASURES = {
  selectToGraph: "summit:select-to-graph",
  selectToData: "summit:select-to-data",
  dataToDrawn: "summit:data-to-drawn",
} as const;

export type Perf = Pick<Performance, "mark" | "clearMarks" | "measure" | "getEntriesByName">;

export interface DrawInfo { ms: number; nodes: number; edges: number }

export class SelectTiming {
  /** Class key of the selection being timed, or null. */
  private pending: string | null = null;

  constructor(private readonly perf: Perf = performance, private readonly log: Pick<Console, "info"> = console) {}

  /** The user selected class `key`. */
  selected(key: string): void {
    this.perf.clearMarks(MARKS.select);
    this.perf.clearMarks(MARKS.data);
    this.perf.mark(MARKS.select);
    this.pending = key;
  }

  /** The graph of class `key` arrived from the server. */
  dataArrived(key: string): void {
    if (this.pending !== key) return;
    this.perf.clearMarks(MARKS.data);
    this.perf.mark(MARKS.data);
  }

  /**
   * A graph of class `key` was drawn. Returns select-to-drawn milliseconds when
   * this finishes the pending measurement, else null.
   */
  drawn(key: string | null, info: DrawInfo): number | null {
    if (this.pending === null || key === null || key !== this.pending) return null;
    this.pending = null;
    this.perf.mark(MARKS.drawn);
    const whole = this.perf.measure(MEASURES.selectToGraph, MARKS.select, MARKS.drawn);
    if (this.perf.getEntriesByName(MARKS.data, "mark").length > 0) {
      this.perf.measure(MEASURES.selectToData, MARKS.select, MARKS.data);
      this.perf.measure(MEASURES.dataToDrawn, MARKS.data, MARKS.drawn);
    }
    this.log.info(`summit: class selected -> ${info.nodes}-node graph drawn in ${whole.duration.toFixed(1)} ms (canvas draw ${info.ms.toFixed(1)} ms)`);
    return whole.duration;
  }
}
