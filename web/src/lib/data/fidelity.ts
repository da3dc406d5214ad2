/**
 * What the app says about a model's graph rules and their held-out faithfulness. Pure functions.
 *
 * Summit's class sidebar showed the histogram of the top-1 confidence; this project's own
 * profile shows the true-class probability. The histogram follows the graph profile.
 */
import type { ClassInfo, FaithfulnessSummary, Interval } from "../api/types";

/** Whether a graph profile name is one of Summit's ("summit", "summit-unified", with "+" when changed). */
export function isSummitProfile(method: string): boolean {
  return method === "summit" || method.startsWith("summit-") || method.startsWith("summit+");
}

/** The 20 histogram bins the class list shows under a profile (true-class when top-1 was not recorded). */
export function classHistogram(c: ClassInfo, method: string): { bins: number[] | null; kind: "top1" | "true" } {
  if (isSummitProfile(method) && c.top1ProbHist?.length) return { bins: c.top1ProbHist, kind: "top1" };
  return { bins: c.probHist, kind: "true" };
}

/** "0.421 [0.399, 0.444]" (3 decimals), or "–" when unknown. */
export function formatInterval(i: Interval): string {
  if (i.mean === null) return "–";
  const f = (v: number | null) => (v === null ? "?" : v.toFixed(3));
  return `${f(i.mean)} [${f(i.low)}, ${f(i.high)}]`;
}

/** One line: where the numbers come from and the three mean drops of p(class). */
export function fidelityLine(s: FaithfulnessSummary): string {
  const where = s.heldOut ? "held out" : "in-sample";
  const d = s.probDrop;
  return `ablation, ${where}, ${s.classes} classes: p(class) drops ${formatInterval(d.graph)} (graph), ` +
    `${formatInterval(d.active)} (most active), ${formatInterval(d.random)} (random)`;
}

/** Whether the graph beats the most-active control: the paired interval lies above 0. */
export function beatsMostActive(s: FaithfulnessSummary): boolean | null {
  const m = s.probDrop.graphMinusActive;
  if (m.low === null || m.high === null) return null;
  if (m.low > 0) return true;
  if (m.high < 0) return false;
  return null;
}
