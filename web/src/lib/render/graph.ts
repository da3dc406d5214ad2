/**
 * Draws an attribution graph on a 2D canvas context: row guides, edges as
 * curves (dimmed ones first, emphasised ones on top), neurons as image tiles
 * with borders and names, layer names in the left gutter and position bars.
 * Pure drawing: everything comes in through the scene (GraphCanvas.svelte owns
 * the canvas, the interaction and the image loading). Tested with a recording
 * context in graph.test.ts.
 */
import { edgeKey, type ViewEdge, type ViewGraph, type ViewNode } from "../data/graph";
import type { EdgeCurve } from "../layout/curves";
import type { Layout } from "../layout/layered";
import { toWorld, type Transform } from "../layout/viewport";
import { GRAPH_DIM_ALPHA, GRAPH_GUTTER, GRAPH_PAD, LABEL_ZOOM } from "../config";
import { GROUP_COLORS, PALETTE } from "../theme/palette";

/** Lasting marks on neurons: pins (kept across classes), picks for a new group, notes, open groups' colours. */
export interface Marks {
  pinned: ReadonlySet<string>;
  /** edgeKeys of pinned edges. */
  pinnedEdges: ReadonlySet<string>;
  picked: ReadonlySet<string>;
  /** Neuron ids and group node ids ("group:<id>") with a note. */
  noted: ReadonlySet<string>;
  /** Outline colour of each member of an open group. */
  groupColor: ReadonlyMap<string, string>;
}

export const NO_MARKS: Marks = { pinned: new Set(), pinnedEdges: new Set(), picked: new Set(), noted: new Set(), groupColor: new Map() };

/** What stands out: the hovered neuron (and its neighbours) or edge, the selection, keyboard focus, highlighted paths. */
export interface Emphasis {
  hovered: string | null;
  /** edgeKey of the hovered edge. */
  hoveredEdge: string | null;
  selected: string | null;
  focused: string | null;
  /** The hovered neuron and its direct neighbours. */
  neighbours: ReadonlySet<string> | null;
  highlight: { nodes: ReadonlySet<string>; edges: ReadonlySet<string> } | null;
  marks?: Marks | null;
}

export const NO_EMPHASIS: Emphasis = { hovered: null, hoveredEdge: null, selected: null, focused: null, neighbours: null, highlight: null, marks: null };

export interface GraphScene {
  graph: ViewGraph;
  layout: Layout;
  curves: readonly EdgeCurve<ViewEdge>[];
  layerNames: ReadonlyMap<number, string>;
  transform: Transform;
  /** Canvas size in CSS pixels, and device pixels per CSS pixel. */
  width: number;
  height: number;
  dpr: number;
  emphasis: Emphasis;
  /** A neuron's tile image once it has loaded, else null (a placeholder with the channel number is drawn). */
  tile: (n: ViewNode) => CanvasImageSource | null;
}

const FONT = "system-ui, sans-serif";

/** Whether anything is emphasised (then everything else is dimmed). */
export function dims(em: Emphasis): boolean {
  return em.neighbours !== null || em.highlight !== null || em.hoveredEdge !== null;
}

/** Whether an edge is drawn at full strength. */
export function edgeActive(e: ViewEdge, em: Emphasis): boolean {
  if (em.hoveredEdge) return edgeKey(e) === em.hoveredEdge;
  if (em.neighbours && em.hovered) return e.src === em.hovered || e.dst === em.hovered;
  if (em.highlight) return em.highlight.edges.has(edgeKey(e));
  return true;
}

/** Whether a neuron is drawn at full strength. */
export function nodeActive(id: string, em: Emphasis, edgeEnds: ReadonlySet<string> | null = hoveredEdgeEnds(em)): boolean {
  if (edgeEnds) return edgeEnds.has(id);
  if (em.neighbours) return em.neighbours.has(id);
  if (em.highlight) return em.highlight.nodes.has(id);
  return true;
}

function hoveredEdgeEnds(em: Emphasis): Set<string> | null {
  return em.hoveredEdge ? new Set(em.hoveredEdge.split(">")) : null;
}

export function drawGraph(ctx: CanvasRenderingContext2D, s: GraphScene): void {
  const { dpr, transform: T } = s;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, s.width, s.height);
  ctx.setTransform(dpr * T.k, 0, 0, dpr * T.k, dpr * T.x, dpr * T.y);
  drawRowGuides(ctx, s);
  drawEdges(ctx, s);
  drawNodes(ctx, s);
  ctx.globalAlpha = 1;
  drawRowLabels(ctx, s);
  drawScrollBars(ctx, s);
}

/** Horizontal guide through each row, across the visible width (world coordinates). */
export function drawRowGuides(ctx: CanvasRenderingContext2D, s: GraphScene): void {
  const T = s.transform;
  const [wx0] = toWorld(T, 0, 0), [wx1] = toWorld(T, s.width, 0);
  ctx.textBaseline = "middle";
  ctx.strokeStyle = PALETTE.line;
  ctx.lineWidth = 1 / T.k;
  ctx.beginPath();
  for (const y of s.layout.rowY) { ctx.moveTo(wx0, y); ctx.lineTo(wx1, y); }
  ctx.stroke();
}

/** Edges in their group colour; when something is emphasised, the dimmed edges first and the active ones on top, thicker. */
export function drawEdges(ctx: CanvasRenderingContext2D, s: GraphScene): void {
  const em = s.emphasis;
  const dimming = dims(em);
  const pinned = em.marks?.pinnedEdges.size ? em.marks.pinnedEdges : null; // no pins: no edge keys built per frame
  // Passes: dimmed edges, active edges, then pinned active edges on top.
  for (const pass of [0, 1, 2]) {
    for (const { e, c, w } of s.curves) {
      const on = !dimming || edgeActive(e, em);
      const pin = on && !!pinned?.has(edgeKey(e));
      if ((on ? (pin ? 2 : 1) : 0) !== pass) continue;
      ctx.globalAlpha = on ? 0.75 : GRAPH_DIM_ALPHA;
      ctx.strokeStyle = pin ? PALETTE.pin : GROUP_COLORS[e.group];
      ctx.lineWidth = w * (on && dimming ? 1.3 : 1) * (pin ? 1.6 : 1);
      ctx.beginPath();
      ctx.moveTo(c.p0.x, c.p0.y);
      ctx.bezierCurveTo(c.p1.x, c.p1.y, c.p2.x, c.p2.y, c.p3.x, c.p3.y);
      ctx.stroke();
    }
  }
}

/** Visible neurons: tile image (or placeholder), border by state and group, and the name when zoomed in far enough to fit. */
export function drawNodes(ctx: CanvasRenderingContext2D, s: GraphScene): void {
  const T = s.transform, k = T.k, em = s.emphasis;
  const [ex0, ey0] = toWorld(T, 0, 0), [ex1, ey1] = toWorld(T, s.width, s.height);
  const edgeEnds = hoveredEdgeEnds(em);
  for (const n of s.graph.nodes) {
    const p = s.layout.nodes.get(n.id);
    if (!p) continue;
    const h = p.size / 2;
    if (p.x + h < ex0 || p.x - h > ex1 || p.y + h < ey0 - 20 || p.y - h > ey1) continue;
    const on = nodeActive(n.id, em, edgeEnds);
    ctx.globalAlpha = on ? 1 : GRAPH_DIM_ALPHA + 0.08;
    if (n.members) drawGroupTile(ctx, s, n, p.x, p.y, p.size);
    else drawTile(ctx, s.tile(n), n.channel, p.x, p.y, p.size);
    const isSel = n.id === em.selected, isHov = n.id === em.hovered || n.id === em.focused;
    const outline = n.color ?? em.marks?.groupColor.get(n.id);
    ctx.strokeStyle = isSel ? PALETTE.selectNeuron : isHov ? PALETTE.accent : outline ?? GROUP_COLORS[n.group];
    ctx.lineWidth = (isSel || isHov || outline ? 4 : n.group === "single" ? 1.5 : 4) / Math.sqrt(k);
    ctx.strokeRect(p.x - h, p.y - h, p.size, p.size);
    if (em.marks) drawMarks(ctx, em.marks, n, p.x, p.y, p.size, k);
    if (n.members && on) {
      const count = n.size && n.size > n.members.length ? `${n.members.length} of ${n.size}` : `${n.members.length}`;
      drawName(ctx, `${n.name || "group"} · ${count}`, p.x, p.y + h + 8 / Math.max(k, 1), k);
      continue;
    }
    if (k >= LABEL_ZOOM && on) {
      const ly = p.y + h + 8 / Math.max(k, 1);
      ctx.textAlign = "center";
      ctx.font = `${11 / Math.max(k, 1)}px ${FONT}`;
      if (ctx.measureText(n.id).width > p.size + 10) continue;
      ctx.strokeStyle = PALETTE.panel;
      ctx.lineWidth = 3 / k;
      ctx.strokeText(n.id, p.x, ly);
      ctx.fillStyle = PALETTE.ink;
      ctx.fillText(n.id, p.x, ly);
    }
  }
}

/** A neuron's tile image, or a placeholder with its channel number. */
function drawTile(ctx: CanvasRenderingContext2D, img: CanvasImageSource | null, channel: number, x: number, y: number, size: number): void {
  const h = size / 2;
  if (img) { ctx.drawImage(img, x - h, y - h, size, size); return; }
  ctx.fillStyle = PALETTE.placeholder;
  ctx.fillRect(x - h, y - h, size, size);
  ctx.fillStyle = PALETTE.muted;
  ctx.textAlign = "center";
  ctx.font = `${Math.max(9, size / 4)}px ${FONT}`;
  ctx.fillText(String(channel), x, y);
}

/** A closed group: its strongest members' tiles as a 2x2 mosaic on its colour. */
export function drawGroupTile(ctx: CanvasRenderingContext2D, s: GraphScene, n: ViewNode, x: number, y: number, size: number): void {
  const h = size / 2;
  const alpha = ctx.globalAlpha;
  ctx.fillStyle = n.color ?? PALETTE.single;
  ctx.globalAlpha = alpha * 0.25;
  ctx.fillRect(x - h, y - h, size, size);
  ctx.globalAlpha = alpha;
  const shown = [...(n.members ?? [])].sort((a, b) => b.pagerank - a.pagerank).slice(0, 4);
  const cell = (size - 6) / 2;
  const top = shown.length <= 2 ? y - cell / 2 : y - h + 2; // one row of tiles sits in the middle
  shown.forEach((m, i) => {
    const cx = x - h + 2 + (i % 2) * (cell + 2) + cell / 2, cy = top + Math.floor(i / 2) * (cell + 2) + cell / 2;
    drawTile(ctx, s.tile(m), m.channel, cx, cy, cell);
  });
}

/** Pin badge (top right), note mark (top left), dashed outline when picked for a new group. */
function drawMarks(ctx: CanvasRenderingContext2D, m: Marks, n: ViewNode, x: number, y: number, size: number, k: number): void {
  const h = size / 2, r = Math.max(4, size * 0.11);
  const pinned = m.pinned.has(n.id) || !!n.members?.some((x) => m.pinned.has(x.id));
  if (m.picked.has(n.id)) {
    const gap = 5 / Math.sqrt(k);
    ctx.setLineDash([5 / k, 3 / k]);
    ctx.strokeStyle = PALETTE.picked;
    ctx.lineWidth = 2.5 / Math.sqrt(k);
    ctx.strokeRect(x - h - gap, y - h - gap, size + 2 * gap, size + 2 * gap);
    ctx.setLineDash([]);
  }
  if (pinned) {
    ctx.fillStyle = PALETTE.pin;
    ctx.strokeStyle = PALETTE.panel;
    ctx.lineWidth = 1.5 / Math.sqrt(k);
    ctx.beginPath();
    ctx.arc(x + h, y - h, r, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
  if (m.noted.has(n.id)) {
    ctx.fillStyle = PALETTE.note;
    ctx.beginPath();
    ctx.moveTo(x - h, y - h);
    ctx.lineTo(x - h + 2.2 * r, y - h);
    ctx.lineTo(x - h, y - h + 2.2 * r);
    ctx.closePath();
    ctx.fill();
  }
}

function drawName(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, k: number): void {
  ctx.textAlign = "center";
  ctx.font = `600 ${12 / Math.max(k, 1)}px ${FONT}`;
  ctx.strokeStyle = PALETTE.panel;
  ctx.lineWidth = 3 / k;
  ctx.strokeText(text, x, y);
  ctx.fillStyle = PALETTE.ink;
  ctx.fillText(text, x, y);
}

/** A layer name shortened with "…" until it fits `maxWidth` (at least 4 characters kept). */
export function fitText(ctx: Pick<CanvasRenderingContext2D, "measureText">, text: string, maxWidth: number): string {
  let name = text;
  while (name.length > 4 && ctx.measureText(name).width > maxWidth) name = name.slice(0, -2) + "…";
  return name;
}

/**
 * Layer names in the left gutter, in screen pixels: they follow the graph
 * when it is panned right and stick to the left edge (on a white halo)
 * when it is panned left, so they never sit on top of a node unreadably.
 */
export function drawRowLabels(ctx: CanvasRenderingContext2D, s: GraphScene): void {
  const T = s.transform, L = s.layout;
  ctx.setTransform(s.dpr, 0, 0, s.dpr, 0, 0);
  ctx.font = `12px ${FONT}`;
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  const x = Math.max(6, T.x - GRAPH_GUTTER + 8);
  const maxW = GRAPH_GUTTER - 16;
  L.rowY.forEach((wy, r) => {
    const y = wy * T.k + T.y;
    if (y < -10 || y > s.height + 10) return;
    const name = fitText(ctx, s.layerNames.get(L.rowLayers[r]) ?? `layer ${L.rowLayers[r]}`, maxW);
    const tw = ctx.measureText(name).width;
    ctx.fillStyle = PALETTE.halo;
    ctx.beginPath();
    ctx.roundRect(x - 4, y - 9, tw + 8, 18, 4);
    ctx.fill();
    ctx.fillStyle = PALETTE.muted;
    ctx.fillText(name, x, y);
  });
}

/** Where a position bar's thumb lies along its track, or null when everything along that axis is visible. */
export function scrollThumb(lo: number, span: number, v0: number, v1: number, screen: number, k: number): { a: number; len: number; track: number } | null {
  if (span * k <= screen || v1 <= lo || v0 >= lo + span) return null;
  const track = screen - 24;
  const a = Math.max(0, (v0 - lo) / span), b = Math.min(1, (v1 - lo) / span);
  return { a: a * track, len: Math.max(12, (b - a) * track), track };
}

/** Thin position bars (right: vertical, bottom: horizontal) when the graph is larger than the panel. */
export function drawScrollBars(ctx: CanvasRenderingContext2D, s: GraphScene): void {
  const T = s.transform, L = s.layout, { width, height } = s;
  const v = scrollThumb(-GRAPH_PAD, L.height + 2 * GRAPH_PAD, -T.y / T.k, (height - T.y) / T.k, height, T.k);
  if (v) {
    ctx.fillStyle = PALETTE.scrollTrack;
    ctx.fillRect(width - 7, 12, 4, v.track);
    ctx.fillStyle = PALETTE.scrollThumb;
    ctx.fillRect(width - 7, 12 + v.a, 4, v.len);
  }
  const hz = scrollThumb(-GRAPH_GUTTER / T.k, L.width + (GRAPH_GUTTER + GRAPH_PAD) / T.k, -T.x / T.k, (width - T.x) / T.k, width, T.k);
  if (hz) {
    ctx.fillStyle = PALETTE.scrollTrack;
    ctx.fillRect(12, height - 7, hz.track, 4);
    ctx.fillStyle = PALETTE.scrollThumb;
    ctx.fillRect(12 + hz.a, height - 7, hz.len, 4);
  }
}
