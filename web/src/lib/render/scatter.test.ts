import { describe, expect, it } from "vitest";
import type { XY } from "../data/embedding";
import { PALETTE } from "../theme/palette";
import { dotRadius, drawMinimap, drawScatter, fromScreen, TextWidths, toScreen, type ScatterScene } from "./scatter";
import { recordingContext } from "./recordingContext";

const points = new Map<number, XY>([[0, { x: 0, y: 0 }], [1, { x: 1, y: 1 }], [2, { x: 0.5, y: 0.25 }]]);
const names = new Map([[0, "tench"], [1, "goldfish"], [2, "great white shark"]]);

function scene(over: Partial<ScatterScene> = {}): ScatterScene {
  return {
    size: 300, pad: 14, transform: { k: 1, x: 0, y: 0 }, dpr: 1, points, names,
    hover: null, selected: null, compare: null, highlighted: null, widths: new TextWidths(), ...over,
  };
}

describe("scatter projection", () => {
  it("maps the unit square inside the margin, then zoom and pan; fromScreen inverts it", () => {
    const v = { size: 300, pad: 14, transform: { k: 2, x: -10, y: 5 } };
    expect(toScreen({ ...v, transform: { k: 1, x: 0, y: 0 } }, { x: 0, y: 0 })).toEqual([14, 14]);
    expect(toScreen({ ...v, transform: { k: 1, x: 0, y: 0 } }, { x: 1, y: 1 })).toEqual([286, 286]);
    const [sx, sy] = toScreen(v, { x: 0.3, y: 0.7 });
    const back = fromScreen(v, sx, sy);
    expect(back.x).toBeCloseTo(0.3);
    expect(back.y).toBeCloseTo(0.7);
  });
  it("dots grow with zoom up to a cap", () => {
    expect(dotRadius(1)).toBe(2.5);
    expect(dotRadius(100)).toBe(6);
  });
});

describe("drawScatter", () => {
  it("one dot per class, then rings for the selected (class colour), compared (only-B) and hovered (accent) classes", () => {
    const rec = recordingContext();
    drawScatter(rec.ctx, scene({ selected: 1, compare: 2, hover: 0 }));
    const fills = rec.named("fill");
    const dots = fills.filter((c) => c.state.fillStyle === PALETTE.point);
    expect(dots).toHaveLength(3);
    expect(dots.every((c) => c.state.globalAlpha === 0.75)).toBe(true);
    const rings = rec.named("stroke").map((c) => c.state.strokeStyle);
    expect(rings).toEqual([PALETTE.onlyB, PALETTE.selectClass, PALETTE.accent]);
    // The selected class's ring is centred on its point.
    const arcs = rec.named("arc").filter((c) => c.state.strokeStyle === PALETTE.selectClass);
    expect(arcs[0].args.slice(0, 2)).toEqual(toScreen(scene(), points.get(1)!));
  });

  it("labels every class when there are few, the marked ones in bold", () => {
    const rec = recordingContext();
    drawScatter(rec.ctx, scene({ selected: 2 }));
    const texts = rec.named("fillText");
    expect(texts.map((c) => c.args[0]).sort()).toEqual(["goldfish", "great white shark", "tench"]);
    const bold = texts.find((c) => c.args[0] === "great white shark")!;
    expect(String(bold.state.font)).toMatch(/^600 /);
    expect(texts.every((c) => c.state.fillStyle === PALETTE.ink)).toBe(true);
    expect(rec.named("strokeText").every((c) => c.state.strokeStyle === PALETTE.halo)).toBe(true);
  });

  it("with many classes, only the marked ones are named until zoomed in", () => {
    const many = new Map<number, XY>(Array.from({ length: 40 }, (_, i) => [i, { x: (i % 7) / 7, y: Math.floor(i / 7) / 6 }]));
    const rec = recordingContext();
    drawScatter(rec.ctx, scene({ points: many, names: new Map(), hover: 3 }));
    expect(rec.named("fillText").map((c) => c.args[0])).toEqual(["3"]);
  });

  it("measures each label's width once", () => {
    const widths = new TextWidths();
    const rec = recordingContext();
    drawScatter(rec.ctx, scene({ widths }));
    drawScatter(rec.ctx, scene({ widths }));
    expect(rec.named("measureText")).toHaveLength(3);
  });
});

describe("drawMinimap", () => {
  it("small squares for the classes, a larger one in the class colour for the selected class", () => {
    const rec = recordingContext();
    drawMinimap(rec.ctx, 34, points, 1);
    const rects = rec.named("fillRect");
    expect(rects.filter((c) => c.state.fillStyle === PALETTE.point)).toHaveLength(2);
    const sel = rects.filter((c) => c.state.fillStyle === PALETTE.selectClass);
    expect(sel).toHaveLength(1);
    expect(sel[0].args).toEqual([2 + 30 - 2, 2 + 30 - 2, 4, 4]);
  });
  it("a layer without points draws nothing but the clear", () => {
    const rec = recordingContext();
    drawMinimap(rec.ctx, 34, undefined, null);
    expect(rec.calls.map((c) => c.name)).toEqual(["clearRect"]);
  });
});
