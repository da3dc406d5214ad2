/**
 * The app's colours, declared once. Canvas drawing reads them from here; CSS
 * reads them as custom properties (`--ink`, `--only-a`, ...) that main.ts sets
 * on <html> from this object before the app mounts (`applyPalette`).
 * palette.test.ts checks that no stylesheet or component hard-codes a colour
 * and that every `var(--…)` a stylesheet uses is defined here.
 */
import type { Group } from "../data/graph";

export const PALETTE = {
  /** Page background. */
  bg: "#fbfbfd",
  /** Panels, header, canvases. */
  panel: "#ffffff",
  ink: "#1d2433",
  muted: "#5f687a",
  line: "#d9dde6",
  /** Separators between list rows. */
  lineFaint: "#eef0f4",
  accent: "#2f6fde",
  error: "#b42318",
  /** Selected class: its embedding point, its minimap mark, the current layer's thumbnail. */
  selectClass: "#e8590c",
  /** Border of the selected neuron on the graph (distinct from every compare colour). */
  selectNeuron: "#111827",
  /** Graph edges and tile borders, one class (group "single"). */
  single: "#5d7fb9",
  /** Compare mode (colour-blind friendly pairs): neurons of both classes, of A only, of B only. */
  shared: "#7b3fbf",
  onlyA: "#e8590c",
  onlyB: "#0f9d8a",
  /** Embedding points. */
  point: "#7a8bb0",
  /** Row tints: selected class, compared class, hovered row or search hit. */
  selectedBg: "#fff1e8",
  compareBg: "#e6f6f3",
  hoverBg: "#eef3fc",
  /** Secondary buttons. */
  buttonBg: "#f5f7fb",
  /** Behind an image (or a neuron tile) that has not loaded. */
  placeholder: "#e6e9f0",
  /** Strongest-paths strip. */
  pathsBg: "#fffdf5",
  /** Accuracy bar: track and fill; histogram bars and axis. */
  track: "#e4e7ee",
  good: "#2f9e6a",
  histBar: "#8a96b0",
  histAxis: "#c9ced9",
  /** White halo behind text drawn over the graph or the embedding. */
  halo: "rgba(255,255,255,0.88)",
  /** Graph position bars. */
  scrollTrack: "rgba(29,36,51,0.06)",
  scrollThumb: "rgba(29,36,51,0.32)",
  shadow: "rgba(0,0,0,0.12)",
  /** Pinned neurons and edges (kept across classes): a badge and the pinned edges' colour. */
  pin: "#c2255c",
  /** A neuron or group with a note: a corner mark. */
  note: "#f08c00",
  /** Neurons picked for a new group (Ctrl/⌘-click): a dashed outline. */
  picked: "#1c7ed6",
  /** Colours offered for the user's groups. */
  group1: "#1971c2",
  group2: "#2b8a3e",
  group3: "#e67700",
  group4: "#862e9c",
  group5: "#c92a2a",
  group6: "#0b7285",
  group7: "#5c940d",
  group8: "#a61e4d",
} as const;

export type PaletteName = keyof typeof PALETTE;

/** Compare mode: shared / only-A / only-B colours by graph group. */
export const GROUP_COLORS: Record<Group, string> = {
  single: PALETTE.single,
  shared: PALETTE.shared,
  a: PALETTE.onlyA,
  b: PALETTE.onlyB,
};

/** The colours a new group can take, in the order they are offered. */
export const GROUP_SWATCHES: readonly string[] = [
  PALETTE.group1, PALETTE.group2, PALETTE.group3, PALETTE.group4, PALETTE.group5, PALETTE.group6, PALETTE.group7, PALETTE.group8,
];

/** CSS custom property name for a palette entry: `onlyA` -> `--only-a`. */
export function cssVar(name: string): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Every palette entry as a CSS custom property. */
export function cssVariables(palette: Record<string, string> = PALETTE): Record<string, string> {
  return Object.fromEntries(Object.entries(palette).map(([k, v]) => [cssVar(k), v]));
}

/** Set the palette's custom properties on an element's style (main.ts: on <html>, before mounting). */
export function applyPalette(style: Pick<CSSStyleDeclaration, "setProperty">, palette: Record<string, string> = PALETTE): void {
  for (const [name, value] of Object.entries(cssVariables(palette))) style.setProperty(name, value);
}
