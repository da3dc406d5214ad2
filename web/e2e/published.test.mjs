// Summit's published InceptionV1 graphs in this web app (headless Chromium, real `summit serve`):
// the repository's compact copy imported (`summit import-summit`), loaded into a fresh embedded
// store and served. White wolf's graph is drawn with Summit's feature visualisations as tile
// pictures, hovering a neuron shows its dataset example, and every measurement Summit did not
// publish reads "not published", never 0 %.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, freePort, makeGql, REPO, RESULTS, run, waitHealthy } from "./harness.mjs";

const COMPACT = join(REPO, "data", "summit-data", "summit-data-compact.tar.xz");
const SUMMIT = process.env.SUMMIT_BIN ?? join(REPO, ".venv", "bin", "summit");
const MODEL = "inceptionv1-summit";

describe("Summit's published graphs in the web app", { concurrency: false }, () => {
  let tmp, proc, browser, base;
  const logs = [];
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), "summit-published-e2e-"));
    run(["import-summit", COMPACT, "--out", join(tmp, "art"), "--embedding", "pca"], { timeout: 600_000 });
    run(["load", join(tmp, "art"), "--embedded", join(tmp, "store")], { timeout: 600_000 });
    base = `http://127.0.0.1:${await freePort()}`;
    proc = spawn(SUMMIT, ["serve", "--embedded", join(tmp, "store"), "--host", "127.0.0.1", "--port", base.split(":")[2]],
      { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
    proc.stdout.on("data", (d) => logs.push(String(d)));
    proc.stderr.on("data", (d) => logs.push(String(d)));
    await waitHealthy(base, proc, logs);
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", args: CHROMIUM_ARGS, headless: true });
  });
  after(async () => {
    await browser?.close().catch(() => {});
    if (proc && proc.exitCode === null) {
      proc.kill("SIGTERM");
      await new Promise((r) => { const t = setTimeout(() => { proc.kill("SIGKILL"); r(); }, 5000); proc.once("exit", () => { clearTimeout(t); r(); }); });
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test("white wolf: feature-visualisation tiles, examples on hover, 'not published' instead of 0 %", { timeout: 300_000 }, async () => {
    const errors = [];
    const media = [];
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("response", (r) => { if (r.url().includes(`/media/${MODEL}/`)) media.push([new URL(r.url()).pathname, r.status()]); });
    await page.goto(`${base}/?model=${MODEL}&class=270`);
    await page.waitForFunction(() => {
      const area = document.querySelector("[data-testid=graph-area]");
      return area?.dataset.status === "ready" && Number(area.dataset.classIndex) === 270;
    }, null, { timeout: 30_000 });
    const published = JSON.parse(readFileSync(join(REPO, "..", "shared", "data", "summit-data", "data", "ag", "ag-270.json"), "utf8"));
    const ids = Object.entries(published).flatMap(([layer, nodes]) => nodes.map((n) => `${layer}:${n.channel}`));
    const drawn = await page.$$eval("[data-testid=graph] [data-node-id]", (els) => els.map((e) => e.dataset.nodeId));
    assert.ok(drawn.length > 0 && drawn.every((id) => ids.includes(id)), "every drawn neuron is in the published graph");

    // not published, never 0 %
    assert.match(await page.textContent("[data-testid=model-name]"), /images not published · top-1 not published/);
    assert.equal(await page.textContent("[data-testid=class-accuracy]"), "top-1 not published");
    await page.waitForSelector("[data-testid=class-row]");
    assert.ok((await page.locator("[data-testid=not-published]").count()) > 0);
    assert.doesNotMatch(await page.textContent("body"), /0\.0%|\b0%/);

    // tiles (those on screen are loaded): Summit's feature visualisations, not dataset examples
    await page.waitForFunction((n) => n > 0, null, { timeout: 1000 }).catch(() => {});
    await page.waitForTimeout(2000);
    const tiles = media.filter(([p]) => p.includes("/featurevis/"));
    assert.ok(tiles.length >= 10, `tile pictures asked for: ${tiles.length} of ${drawn.length} neurons`);
    assert.ok(tiles.every(([p, status]) => status === 200 && drawn.includes(p.split("/featurevis/")[1].replace(".jpg", "").replace("/", ":"))),
      JSON.stringify(tiles.slice(0, 5)));
    assert.deepEqual(media.filter(([p]) => p.includes("/examples/")), [], "no example patch is a tile picture");

    // hover: its dataset example
    const area = await page.locator("[data-testid=graph]").boundingBox();
    let id = null;
    let point = null;
    for (const candidate of drawn) { // a neuron drawn on screen (the graph is taller than the window)
      const p = await page.$eval("[data-testid=graph]", (el, id) => el.summitNodePoint(id), candidate);
      if (p && p[0] > area.x + 20 && p[0] < area.x + area.width - 20 && p[1] > area.y + 20 && p[1] < Math.min(780, area.y + area.height - 20)) {
        id = candidate;
        point = p;
        break;
      }
    }
    assert.ok(id, "some neuron is drawn on screen");
    await page.mouse.move(point[0], point[1]);
    await page.waitForSelector("[data-testid=hover-card]");
    await page.waitForFunction(() => {
      const imgs = [...document.querySelectorAll("[data-testid=hover-card] [data-testid=example-patch]")];
      return imgs.length === 1 && imgs.every((i) => i.complete && i.naturalWidth > 0);
    }, null, { timeout: 10_000 });
    const src = await page.$eval("[data-testid=hover-card] [data-testid=example-patch]", (i) => i.getAttribute("src"));
    assert.equal(src, `/media/${MODEL}/examples/${id.replace(":", "/")}_0.jpg`);
    await page.screenshot({ path: join(RESULTS, "published-white-wolf.png") });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("exploring the published graphs: prune, pin (classes containing it as GraphQL says), a suggested group, a note", { timeout: 300_000 }, async () => {
    const gql = makeGql(base);
    const errors = [];
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on("pageerror", (e) => errors.push(String(e)));
    // a class whose graph two members of a suggested group are in (suggestions come from the import)
    const suggested = (await gql(`{ model(id: "${MODEL}") { suggestedGroups { id neurons } } }`)).model.suggestedGroups;
    assert.ok(suggested.length > 50, `the import suggested ${suggested.length} groups`);
    let cls = null, nodes = null;
    for (const k of [270, 278, 1, 100, 200, 300, 400, 500]) {
      const g = (await gql(`{ model(id: "${MODEL}") { classGraph(classKey: "${k}") { nodes { neuron { id } } } } }`)).model.classGraph;
      const ids = new Set(g.nodes.map((n) => n.neuron.id));
      if (suggested.some((s) => s.neurons.filter((n) => ids.has(n)).length >= 2)) { cls = k; nodes = ids; break; }
    }
    assert.ok(cls !== null, "one of the classes tried has a suggested group in its graph");
    await page.goto(`${base}/?model=${MODEL}&class=${cls}`);
    await page.waitForFunction((k) => {
      const area = document.querySelector("[data-testid=graph-area]");
      return area?.dataset.status === "ready" && Number(area.dataset.classIndex) === k;
    }, cls, { timeout: 30_000 });
    const count = () => page.$eval("[data-testid=graph]", (g) => Number(g.dataset.nodeCount));
    assert.equal(await count(), nodes.size);
    await page.$eval("[data-testid=prune-slider]", (el) => { el.value = "50"; el.dispatchEvent(new Event("input", { bubbles: true })); });
    await page.waitForFunction((n) => Number(document.querySelector("[data-testid=graph]").dataset.nodeCount) < n, nodes.size);

    // pin a neuron on screen: the classes containing it are GraphQL's
    const box = await page.locator("[data-testid=graph]").boundingBox();
    const onScreen = await page.$$eval("[data-testid=graph] [data-node-id]", (els, b) => els.filter((e) => {
      const r = e.getBoundingClientRect();
      return r.top > b.y && r.bottom < b.y + b.height && !e.dataset.nodeId.startsWith("group:");
    }).map((e) => e.dataset.nodeId), box);
    const pin = onScreen[0];
    await page.click(`[data-node-id="${pin}"]`, { modifiers: ["Shift"] });
    const want = (await gql(`{ model(id: "${MODEL}") { classesContaining(neurons: ["${pin}"], limit: 1000) { class { index } } } }`))
      .model.classesContaining.map((c) => c.class.index);
    assert.ok(want.includes(cls));
    await page.waitForFunction((n) => Number(document.querySelector("[data-testid=containing]")?.dataset.count) === n, Math.min(want.length, 50));
    assert.deepEqual(await page.$$eval("[data-testid=containing-class]", (els) => els.map((e) => Number(e.dataset.classIndex))), want.slice(0, 50));

    // back to all neurons: accept the first suggestion, drawn as one node
    await page.click("[data-testid=prune-off]");
    await page.waitForFunction(() => Number(document.querySelector("[data-testid=groups-panel]")?.dataset.suggestions) > 0);
    await page.click("[data-testid=suggestion-accept] >> nth=0");
    await page.waitForSelector("[data-node-id='group:g1']");
    assert.ok(Number(await page.$eval("[data-node-id='group:g1']", (e) => e.dataset.members)) >= 2);

    // a note on the pinned neuron, saved on the server, removed again
    await page.click(`[data-node-id="${pin}"]`);
    await page.click("[data-testid=neuron-panel] [data-testid=note-edit]");
    await page.fill("[data-testid=neuron-panel] [data-testid=note-input]", "a published neuron");
    await page.click("[data-testid=neuron-panel] [data-testid=note-save]");
    await page.waitForSelector("[data-testid=neuron-panel] [data-testid=note-text]");
    const notes = (await gql(`{ model(id: "${MODEL}") { notes { target text } } }`)).model.notes;
    assert.deepEqual(notes, [{ target: pin, text: "a published neuron" }]);
    await page.click("[data-testid=neuron-panel] [data-testid=note-delete]");
    await page.waitForSelector("[data-testid=neuron-panel] [data-testid=note][data-has-note=false]");
    await page.screenshot({ path: join(RESULTS, "published-explore.png") });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
