/** Class list shaping: search, sort, virtual window. Pure functions. */
import type { ClassInfo } from "../api/types";

export type SortKey = "index" | "name" | "accuracy" | "similarity";

/** Case-insensitive match on name, wnid, or exact index. */
export function matchesClass(c: ClassInfo, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return c.name.toLowerCase().includes(q) || c.wnid.toLowerCase().includes(q) || String(c.index) === q;
}

/**
 * Filter and sort. Similarity sorts descending (classes without a similarity
 * last); accuracy sorts ascending (worst first, as Summit did) when `asc`.
 */
export function shapeClasses(
  classes: ClassInfo[], query: string, sort: SortKey, similarity: Map<number, number> | null, asc = false,
): ClassInfo[] {
  const out = classes.filter((c) => matchesClass(c, query));
  const byIndex = (a: ClassInfo, b: ClassInfo) => a.index - b.index;
  switch (sort) {
    case "name":
      out.sort((a, b) => a.name.localeCompare(b.name) || byIndex(a, b));
      break;
    case "accuracy": {
      // classes whose accuracy is not published come last
      const acc = (c: ClassInfo) => c.accuracy ?? (asc ? Infinity : -Infinity);
      out.sort((a, b) => (asc ? acc(a) - acc(b) : acc(b) - acc(a)) || byIndex(a, b));
      break;
    }
    case "similarity": {
      const s = (c: ClassInfo) => similarity?.get(c.index) ?? -Infinity;
      out.sort((a, b) => s(b) - s(a) || byIndex(a, b));
      break;
    }
    default:
      out.sort(byIndex);
  }
  return out;
}

/** Which rows of a virtualised list to render. */
export function virtualWindow(scrollTop: number, viewport: number, rowHeight: number, total: number, overscan = 6) {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(total, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return { first, last, padTop: first * rowHeight, padBottom: Math.max(0, (total - last) * rowHeight) };
}

/** Bar heights (0..1) of a probability histogram, scaled to its largest bin. */
export function histogramHeights(bins: number[]): number[] {
  const max = Math.max(0, ...bins);
  return bins.map((b) => (max > 0 ? b / max : 0));
}

export function formatPercent(x: number | null | undefined, digits = 1): string {
  return x == null || !Number.isFinite(x) ? "–" : `${(x * 100).toFixed(digits)}%`;
}

/** The class a URL or API key names: its wnid, its index (as text) or its name. */
export function findClass(classes: readonly ClassInfo[], key: string | null): ClassInfo | null {
  if (key === null) return null;
  return classes.find((c) => c.wnid === key || String(c.index) === key || c.name === key) ?? null;
}

/** Shown where a measurement is null: the model came from published results that do not include it. */
export const NOT_PUBLISHED = "not published";

/** A measured share as a percentage, or NOT_PUBLISHED when it is null (never 0 %). */
export function formatMeasured(x: number | null | undefined, digits = 1): string {
  return x == null ? NOT_PUBLISHED : formatPercent(x, digits);
}
