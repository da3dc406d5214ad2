import { describe, expect, it } from "vitest";
import type { ViewEdge, ViewGraph, ViewNode } from "../data/graph";
import { edgeKey, neighbourhood } from "../data/graph";
import { edgeCurves } from "../layout/curves";
import { layeredLayout } from "../layout/layered";
import { GRAPH_DIM_ALPHA, LABEL_ZOOM } from "../config";
import { GROUP_COLORS, PALETTE } from "../theme/palette";
import {
  drawGraph, edgeActive, fitText, NO_EMPHASIS, NO_MARKS, nodeActive, scrollThumb, type Emphasis, type GraphScene, type Marks,
} from "./graph";
import { recordingContext, type DrawCall } from "./recordingContext";

function node(id: string, layerIndex: number, group: ViewNode["group"] = "single"): ViewNode {
  return { id, layer: `L${layerIndex}`, layerIndex, channel: Number(id.split(":")[1]), image: null, count: 10, pagerank: 0.1, group };
}

/** Two layers: a:1, a:2 below; b:1 above; edges a:1 -> b:1 (heavy), a:2 -> b:1 (light). */
function fixture(groups: [ViewNode["group"], ViewNode["group"], ViewNode["group"]] = ["single", "single", "single"]): ViewGraph {
  const nodes = [node("a:1", 0, groups[0]), node("a:2", 0, groups[1]), node("b:1", 1, groups[2])];
  const edges: ViewEdge[] = [
    { src: "a:1", dst: "b:1", weight: 9, group: groups[0] },
    { src: "a:2", dst: "b:1", weight: 1, group: groups[1] },
  ];
  return { nodes, edges };
}

function scene(over: Partial<GraphScene> = {}, graph = fixture()): GraphScene {
  const layout = layeredLayout(graph.nodes, graph.edges);
  return {
    graph, layout, curves: edgeCurves(graph.edges, layout.nodes), layerNames: new Map([[0, "mixed3a"], [1, "mixed4a"]]),
    transform: { k: 1, x: 120, y: 30 }, width: 900, height: 700, dpr: 2, emphasis: NO_EMPHASIS, tile: () => null,
    ...over,
  };
}

function draw(s: GraphScene) {
  const rec = recordingContext();
  drawGraph(rec.ctx, s);
  return rec;
}

/** The strokeRect of a neuron's tile border. */
function border(calls: DrawCall[], s: GraphScene, id: string): DrawCall {
  const p = s.layout.nodes.get(id)!;
  const c = calls.find((c) => c.name === "strokeRect" && c.args[0] === p.x - p.size / 2 && c.args[1] === p.y - p.size / 2);
  if (!c) throw new Error(`no border drawn for ${id}`);
  return c;
}

/** The stroke of an edge's curve (found by its start point, then its end point). */
function edgeStroke(calls: DrawCall[], s: GraphScene, e: ViewEdge): DrawCall {
  const c = s.curves.find((x) => x.e === e)!.c;
  const i = calls.findIndex((x, j) => x.name === "moveTo" && x.args[0] === c.p0.x && x.args[1] === c.p0.y &&
    calls[j + 1]?.name === "bezierCurveTo" && calls[j + 1].args[4] === c.p3.x && calls[j + 1].args[5] === c.p3.y);
  if (i < 0) throw new Error(`edge ${edgeKey(e)} not drawn`);
  return calls[calls.findIndex((x, j) => j > i && x.name === "stroke")];
}

describe("drawGraph", () => {
  it("clears at device scale, then draws the world at the view's zoom and pan", () => {
    const s = scene();
    const { calls } = draw(s);
    expect(calls[0]).toMatchObject({ name: "setTransform", args: [2, 0, 0, 2, 0, 0] });
    expect(calls[1]).toMatchObject({ name: "clearRect", args: [0, 0, 900, 700] });
    expect(calls[2]).toMatchObject({ name: "setTransform", args: [2, 0, 0, 2, 240, 60] });
  });

  it("draws one curve per edge in its group colour, thicker for heavier edges", () => {
    const s = scene();
    const { calls, named } = draw(s);
    expect(named("bezierCurveTo")).toHaveLength(2);
    const heavy = edgeStroke(calls, s, s.graph.edges[0]), light = edgeStroke(calls, s, s.graph.edges[1]);
    expect(heavy.state.strokeStyle).toBe(GROUP_COLORS.single);
    expect(heavy.state.globalAlpha).toBe(0.75);
    expect(heavy.state.lineWidth as number).toBeGreaterThan(light.state.lineWidth as number);
  });

  it("a hovered neuron keeps its own edges and neighbours at full strength, on top; the rest is dimmed", () => {
    const g = fixture();
    g.nodes.push(node("a:3", 0));
    const hovered = "a:1";
    const em: Emphasis = { ...NO_EMPHASIS, hovered, neighbours: neighbourhood(g, hovered) };
    const s = scene({ emphasis: em }, g);
    const { calls } = draw(s);
    const own = edgeStroke(calls, s, g.edges[0]), other = edgeStroke(calls, s, g.edges[1]);
    expect(own.state.globalAlpha).toBe(0.75);
    expect(other.state.globalAlpha).toBe(GRAPH_DIM_ALPHA);
    expect(calls.indexOf(own)).toBeGreaterThan(calls.indexOf(other));
    expect(own.state.lineWidth as number).toBeCloseTo(s.curves[0].w * 1.3);
    expect(border(calls, s, "b:1").state.globalAlpha).toBe(1);
    expect(border(calls, s, "a:3").state.globalAlpha).toBeCloseTo(GRAPH_DIM_ALPHA + 0.08);
    expect(border(calls, s, hovered).state.strokeStyle).toBe(PALETTE.accent);
  });

  it("borders: the selected neuron in its own colour, compare groups in theirs", () => {
    const s = scene({ emphasis: { ...NO_EMPHASIS, selected: "b:1" } }, fixture(["a", "b", "shared"]));
    const { calls } = draw(s);
    expect(border(calls, s, "b:1").state.strokeStyle).toBe(PALETTE.selectNeuron);
    expect(border(calls, s, "a:1").state.strokeStyle).toBe(GROUP_COLORS.a);
    expect(border(calls, s, "a:2").state.strokeStyle).toBe(GROUP_COLORS.b);
  });

  it("draws a loaded tile image, else a placeholder with the channel number", () => {
    const img = { fake: "image" } as unknown as CanvasImageSource;
    const s = scene({ tile: (n) => (n.id === "a:1" ? img : null) });
    const { named } = draw(s);
    const images = named("drawImage");
    expect(images).toHaveLength(1);
    expect(images[0].args[0]).toBe(img);
    const placeholders = named("fillRect").filter((c) => c.state.fillStyle === PALETTE.placeholder);
    expect(placeholders).toHaveLength(2);
    expect(named("fillText").map((c) => c.args[0])).toEqual(expect.arrayContaining(["2", "1"]));
  });

  it("skips neurons outside the view", () => {
    const s = scene({ transform: { k: 1, x: -5000, y: 30 } });
    const { named } = draw(s);
    expect(named("strokeRect")).toHaveLength(0);
  });

  it("names neurons under their tiles only when zoomed in far enough", () => {
    const ids = (calls: DrawCall[]) => calls.filter((c) => c.name === "fillText" && String(c.args[0]).includes(":")).map((c) => c.args[0]);
    expect(ids(draw(scene({ transform: { k: LABEL_ZOOM, x: 120, y: 30 } })).calls).sort()).toEqual(["a:1", "a:2", "b:1"]);
    expect(ids(draw(scene({ transform: { k: LABEL_ZOOM * 0.9, x: 120, y: 30 } })).calls)).toEqual([]);
  });

  it("writes the layer names in screen space, on a halo, in the muted colour", () => {
    const { calls } = draw(scene());
    const names = calls.filter((c) => c.name === "fillText" && String(c.args[0]).startsWith("mixed"));
    expect(names.map((c) => c.args[0]).sort()).toEqual(["mixed3a", "mixed4a"]);
    expect(names.every((c) => c.state.fillStyle === PALETTE.muted && c.state.textAlign === "left")).toBe(true);
    // Screen space: the last transform before the names is the device scale alone.
    const lastTransform = calls.filter((c) => c.name === "setTransform").at(-1)!;
    expect(lastTransform.args).toEqual([2, 0, 0, 2, 0, 0]);
    expect(calls.indexOf(lastTransform)).toBeLessThan(calls.indexOf(names[0]));
    expect(calls.filter((c) => c.name === "roundRect")).toHaveLength(2);
  });

  it("draws position bars only when the graph does not fit", () => {
    const fits = draw(scene()).named("fillRect").filter((c) => c.state.fillStyle === PALETTE.scrollThumb);
    expect(fits).toHaveLength(0);
    const tall = draw(scene({ height: 150 })).named("fillRect").filter((c) => c.state.fillStyle === PALETTE.scrollThumb);
    expect(tall).toHaveLength(1);
    expect(tall[0].args[0]).toBe(900 - 7); // right edge: vertical bar
  });
});

describe("emphasis rules", () => {
  const g = fixture();
  it("a hovered edge: only that edge and its two ends", () => {
    const em: Emphasis = { ...NO_EMPHASIS, hoveredEdge: edgeKey(g.edges[1]) };
    expect(g.edges.map((e) => edgeActive(e, em))).toEqual([false, true]);
    expect(g.nodes.map((n) => nodeActive(n.id, em))).toEqual([false, true, true]);
  });
  it("highlighted paths when nothing is hovered", () => {
    const em: Emphasis = { ...NO_EMPHASIS, highlight: { nodes: new Set(["a:1", "b:1"]), edges: new Set([edgeKey(g.edges[0])]) } };
    expect(g.edges.map((e) => edgeActive(e, em))).toEqual([true, false]);
    expect(g.nodes.map((n) => nodeActive(n.id, em))).toEqual([true, false, true]);
  });
  it("nothing emphasised: everything active", () => {
    expect(g.edges.every((e) => edgeActive(e, NO_EMPHASIS))).toBe(true);
    expect(g.nodes.every((n) => nodeActive(n.id, NO_EMPHASIS))).toBe(true);
  });
});

describe("helpers", () => {
  it("fitText shortens with an ellipsis until the text fits", () => {
    const { ctx } = recordingContext(6);
    expect(fitText(ctx, "mixed4a", 100)).toBe("mixed4a");
    const short = fitText(ctx, "a_very_long_layer_name_indeed", 60);
    expect(short.endsWith("…")).toBe(true);
    expect(short.length * 6).toBeLessThanOrEqual(60);
    expect(fitText(ctx, "abcdefgh", 1).length).toBeGreaterThanOrEqual(4);
  });
  it("scrollThumb: none when all is visible; proportional to the visible part otherwise", () => {
    expect(scrollThumb(0, 500, 0, 500, 600, 1)).toBeNull();
    const t = scrollThumb(0, 1000, 250, 750, 524, 1)!;
    expect(t.track).toBe(500);
    expect(t.a).toBe(125);
    expect(t.len).toBe(250);
  });
});

describe("marks: pins, picks, notes, groups", () => {
  const marks = (over: Partial<Marks> = {}): Marks => ({ ...NO_MARKS, ...over });

  it("pinned edges are drawn last, in the pin colour and thicker; pinned neurons get a badge", () => {
    const g = fixture();
    const s = scene({ emphasis: { ...NO_EMPHASIS, marks: marks({ pinned: new Set(["a:2"]), pinnedEdges: new Set([edgeKey(g.edges[1])]) }) } }, g);
    const { calls, named } = draw(s);
    const pinned = edgeStroke(calls, s, g.edges[1]), plain = edgeStroke(calls, s, g.edges[0]);
    expect(pinned.state.strokeStyle).toBe(PALETTE.pin);
    expect(pinned.state.lineWidth as number).toBeCloseTo(s.curves[1].w * 1.6);
    expect(calls.indexOf(pinned)).toBeGreaterThan(calls.indexOf(plain));
    const badges = named("arc");
    expect(badges).toHaveLength(1);
    const p = s.layout.nodes.get("a:2")!;
    expect(badges[0].args.slice(0, 2)).toEqual([p.x + p.size / 2, p.y - p.size / 2]);
    expect(named("fill").some((c) => c.state.fillStyle === PALETTE.pin)).toBe(true);
  });

  it("picked neurons get a dashed outline; noted ones a corner mark; open groups' members their colour", () => {
    const s = scene({ emphasis: { ...NO_EMPHASIS, marks: marks({
      picked: new Set(["a:1"]), noted: new Set(["b:1"]), groupColor: new Map([["a:2", "#00ff00"]]) }) } });
    const { calls, named } = draw(s);
    const dashes = named("setLineDash");
    expect(dashes[0].args[0]).toHaveLength(2);
    const dashed = calls.find((c, i) => c.name === "strokeRect" && i > calls.indexOf(dashes[0]))!;
    expect(dashed.state.strokeStyle).toBe(PALETTE.picked);
    expect(named("fill").filter((c) => c.state.fillStyle === PALETTE.note)).toHaveLength(1);
    expect(border(calls, s, "a:2").state.strokeStyle).toBe("#00ff00");
  });

  it("a closed group: a mosaic of its members' tiles on its colour, its name and size below", () => {
    const members = [node("a:1", 0), node("a:2", 0)];
    const groupNode: ViewNode = { ...node("group:g1", 0), channel: -1, members, name: "fins", color: "#123456", count: 20 };
    const g: ViewGraph = { nodes: [groupNode, node("b:1", 1)], edges: [{ src: "group:g1", dst: "b:1", weight: 10, group: "single" }] };
    const img = { fake: "a:1" } as unknown as CanvasImageSource;
    const s = scene({ tile: (n) => (n.id === "a:1" ? img : null) }, g);
    const { calls, named } = draw(s);
    expect(named("drawImage").map((c) => c.args[0])).toEqual([img]);
    expect(named("fillText").map((c) => c.args[0])).toEqual(expect.arrayContaining(["fins · 2", "2"]));
    groupNode.size = 5; // pruning hid three members
    expect(draw(s).named("fillText").map((c) => c.args[0])).toContain("fins · 2 of 5");
    expect(border(calls, s, "group:g1").state.strokeStyle).toBe("#123456");
    expect(named("fillRect").some((c) => c.state.fillStyle === "#123456")).toBe(true);
  });
});
