import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { applyPalette, cssVar, cssVariables, GROUP_COLORS, PALETTE } from "./palette";

const SRC = fileURLToPath(new URL("../../", import.meta.url));

/** Files under src/ whose names match `pattern`. */
function sources(pattern: RegExp, dir = SRC): { path: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(pattern, p);
    return pattern.test(e.name) ? [{ path: p.slice(SRC.length), text: readFileSync(p, "utf8") }] : [];
  });
}
/** Every stylesheet and component. */
const styleSources = () => sources(/\.(svelte|css)$/);
/** TypeScript that draws (render/, components' scripts are covered above), tests and the palette itself aside. */
const codeSources = () => sources(/\.ts$/).filter((s) => !s.path.endsWith(".test.ts") && s.path !== "lib/theme/palette.ts");

const COLOUR_LITERAL = /#[0-9a-fA-F]{3,8}\b|\b(?:rgba?|hsla?)\(/g;

describe("one palette", () => {
  it("finds the app's stylesheets (the checks below can fail)", () => {
    const names = styleSources().map((s) => s.path);
    expect(names).toContain("app.css");
    expect(names).toContain("App.svelte");
    expect(names.filter((n) => n.startsWith("components/")).length).toBeGreaterThanOrEqual(10);
    expect("background: #fff; color: rgba(0,0,0,.1)".match(COLOUR_LITERAL)).toHaveLength(2);
  });

  it("no stylesheet or component writes a colour: they all come from PALETTE", () => {
    const found = styleSources().flatMap(({ path, text }) => (text.match(COLOUR_LITERAL) ?? []).map((m) => `${path}: ${m}`));
    expect(found).toEqual([]);
  });

  it("no TypeScript outside the palette writes a colour (canvas drawing reads PALETTE)", () => {
    const code = codeSources();
    expect(code.map((s) => s.path)).toContain("lib/render/graph.ts");
    const found = code.flatMap(({ path, text }) => (text.match(COLOUR_LITERAL) ?? []).map((m) => `${path}: ${m}`));
    expect(found).toEqual([]);
  });

  it("every var(--…) a stylesheet uses is a palette colour", () => {
    const defined = new Set(Object.keys(cssVariables()));
    const used = styleSources().flatMap(({ path, text }) => [...text.matchAll(/var\((--[\w-]+)\)/g)].map((m) => ({ path, name: m[1] })));
    expect(used.length).toBeGreaterThan(20);
    expect(used.filter((u) => !defined.has(u.name))).toEqual([]);
  });

  it("names custom properties in kebab case and sets every one", () => {
    expect(cssVar("onlyA")).toBe("--only-a");
    expect(cssVar("selectClass")).toBe("--select-class");
    const set = new Map<string, string>();
    applyPalette({ setProperty: (name: string, value: string | null) => { set.set(name, String(value)); } });
    expect(set.get("--ink")).toBe(PALETTE.ink);
    expect(set.get("--only-b")).toBe(PALETTE.onlyB);
    expect(set.size).toBe(Object.keys(PALETTE).length);
  });

  it("compare groups use the palette's group colours, all distinct, and the selected neuron's border differs from all", () => {
    expect(GROUP_COLORS).toEqual({ single: PALETTE.single, shared: PALETTE.shared, a: PALETTE.onlyA, b: PALETTE.onlyB });
    const groups = Object.values(GROUP_COLORS);
    expect(new Set(groups).size).toBe(groups.length);
    expect(groups).not.toContain(PALETTE.selectNeuron);
    expect(groups).not.toContain(PALETTE.accent);
  });
});
