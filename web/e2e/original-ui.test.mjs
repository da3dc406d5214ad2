// The ORIGINAL Summit front end (../shared/summit-ui: the published bundle, unmodified) draws what
// `summit export --format summit` writes, in headless Chromium:
//   (a) our export of Summit's own published graphs after `summit import-summit`, and
//   (b) our export of a `summit synth --channels inception` artifact.
// The UI folder is served on a loopback port; every request to the data URLs it hard-codes
// (raw.githubusercontent.com/fredhohman/summit-data/master/data/...) is answered from the export
// folder with playwright-core's request interception (page.route), as shared/summit-ui/SOURCE.txt
// says; fonts and icons from CDNs get empty answers. Checks: no page errors, no data request
// without a file, it opens on white wolf, clicking another class draws that class's graph, and
// hovering a neuron shows its dataset examples (and asks for its diversity images).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, REPO, RESULTS } from "./harness.mjs";

const UI = resolve(REPO, "..", "shared", "summit-ui");
const SUMMIT_DATA = resolve(REPO, "..", "shared", "data", "summit-data");
const SUMMIT = process.env.SUMMIT_BIN ?? join(REPO, ".venv", "bin", "summit");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const DATA_URL = "https://raw.githubusercontent.com/fredhohman/summit-data/master/";
const TYPES = { ".html": "text/html", ".css": "text/css", ".js": "application/javascript", ".json": "application/json",
  ".jpg": "image/jpeg", ".png": "image/png", ".svg": "image/svg+xml" };

function summit(args, env = {}) {
  try {
    return execFileSync(SUMMIT, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 600_000,
      env: { ...process.env, ...env } });
  } catch (e) {
    throw new Error(`summit ${args.join(" ")} failed (exit ${e.status}):\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

/** Serve the original front end's folder on 127.0.0.1 (a random port). */
async function serveUi() {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^\/+/, "");
    const file = join(UI, path || "index.html");
    if (!file.startsWith(UI) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { server, base: `http://127.0.0.1:${server.address().port}/` };
}

/** A page whose data requests are answered from `exportDir`; returns the page and what it asked for. */
async function openOriginalUi(browser, base, exportDir) {
  const seen = { data: [], missing: [], errors: [] };
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  await context.route("**/*", async (route) => {
    const url = route.request().url();
    if (url.startsWith(DATA_URL)) {
      const rel = decodeURIComponent(url.slice(DATA_URL.length));
      const file = normalize(join(exportDir, rel));
      seen.data.push(rel);
      if (!file.startsWith(exportDir) || !existsSync(file)) {
        seen.missing.push(rel);
        await route.fulfill({ status: 404, body: "" });
        return;
      }
      await route.fulfill({ status: 200, contentType: TYPES[extname(file)], body: readFileSync(file) });
    } else if (url.startsWith(base)) {
      await route.continue();
    } else {
      // fonts, icons and analytics from CDNs: empty answers, offline
      const type = url.includes(".js") ? "application/javascript" : url.includes("css") ? "text/css" : "text/plain";
      await route.fulfill({ status: 200, contentType: type, body: "" });
    }
  });
  const page = await context.newPage();
  page.on("pageerror", (e) => seen.errors.push(String(e)));
  await page.goto(base + "index.html");
  return { page, context, seen };
}

function graphOf(exportDir, k) {
  return JSON.parse(readFileSync(join(exportDir, "data", "ag", `ag-${k}.json`), "utf8"));
}
const nodeCount = (graph) => Object.values(graph).reduce((n, nodes) => n + nodes.length, 0);

async function waitDrawn(page, name, nodes) {
  await page.waitForFunction(
    ({ name, nodes }) => document.querySelector("#selected-class-value")?.textContent === name &&
      document.querySelectorAll("#dagG image.fv-ch").length === nodes,
    { name, nodes }, { timeout: 30_000 });
}

async function checkOriginalUi(browser, base, exportDir, shotName) {
  const classes = JSON.parse(readFileSync(join(exportDir, "data", "imagenet.json"), "utf8"));
  const wolf = classes.find((c) => c.name === "white_wolf");
  assert.ok(wolf, "the export has a class named white_wolf");
  const { page, context, seen } = await openOriginalUi(browser, base, exportDir);
  try {
    // 1. opens on white wolf: its graph drawn, one tile per published/kept neuron
    await waitDrawn(page, "white_wolf", nodeCount(graphOf(exportDir, wolf.target_class)));
    assert.equal(await page.locator(".class-bar").count() > 100, true, "the class list is drawn");
    const edges = await page.locator("#dagG .dag-edge").count();
    const expectedEdges = Object.values(graphOf(exportDir, wolf.target_class)).slice(0, -1)
      .reduce((n, nodes) => n + nodes.reduce((m, ch) => m + ch.prev_channels.length, 0), 0);
    assert.equal(edges, expectedEdges, "every prev_channel is drawn as an edge");
    await page.screenshot({ path: join(RESULTS, `${shotName}-1-white-wolf.png`) });

    // 2. clicking another class draws its graph
    const bar = page.locator(`.class-bar:not(#class-bar-${wolf.synset})`).nth(2);
    const synset = (await bar.getAttribute("id")).replace("class-bar-", "");
    const other = classes.find((c) => c.synset === synset);
    await bar.click();
    await waitDrawn(page, other.name, nodeCount(graphOf(exportDir, other.target_class)));
    assert.ok(seen.data.includes(`data/ag/ag-${other.target_class}.json`));
    await page.screenshot({ path: join(RESULTS, `${shotName}-2-${other.name}.png`) });

    // 3. hovering a neuron shows its 10 dataset examples (and asks for its diversity images on mousemove)
    const tile = page.locator("#dagG image.fv-ch").first();
    const id = await tile.getAttribute("id"); // "<layer>-<channel>-channel"
    const [layer, channel] = id.split("-");
    await page.locator("#dag-home").click(); // reset zoom so the tile is on screen
    await page.waitForTimeout(900);
    const box = await tile.boundingBox();
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 4 });
    await page.waitForFunction(
      (cls) => [...document.querySelectorAll(`.${cls}`)].filter((e) => getComputedStyle(e).visibility === "visible").length === 10,
      `${layer}-${channel}-dataset-p`, { timeout: 10_000 });
    await page.waitForFunction(
      (prefix) => [...document.querySelectorAll("image")].filter((e) => (e.getAttribute("href") ?? e.getAttribute("xlink:href") ?? "").includes(prefix)).length > 0,
      `/diversity-`, { timeout: 10_000 }).catch(() => {});
    await page.waitForLoadState("networkidle").catch(() => {});
    for (let r = 0; r < 10; r++) {
      assert.ok(seen.data.includes(`data/feature-vis/dataset-p/${layer}-${channel}-dataset-p-${r}.jpg`), `example ${r} asked for`);
    }
    assert.ok(seen.data.some((d) => d.startsWith("data/feature-vis/diversity-") && d.includes(`/${layer}-${channel}-diversity-`)),
      "moving over the tile asks for its diversity images");
    await page.screenshot({ path: join(RESULTS, `${shotName}-3-hover.png`) });

    assert.deepEqual(seen.errors, [], "no page errors");
    assert.deepEqual(seen.missing, [], "every data file the front end asked for exists");
    assert.ok(seen.data.some((d) => d.startsWith("data/feature-vis/channel/")), "tiles ask for feature visualisations");
  } finally {
    await context.close();
  }
}

describe("the original Summit front end draws our exports (headless Chromium)", { concurrency: false }, () => {
  let tmp, ui, browser;
  before(async () => {
    if (!existsSync(join(UI, "dist", "bundle.js"))) throw new Error(`the original front end is missing: ${UI}`);
    if (!existsSync(join(SUMMIT_DATA, "data", "ag"))) throw new Error(`Summit's published data is missing: ${SUMMIT_DATA}`);
    mkdirSync(RESULTS, { recursive: true });
    tmp = mkdtempSync(join(tmpdir(), "summit-original-ui-"));
    ui = await serveUi();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  });
  after(async () => {
    await browser?.close().catch(() => {});
    ui?.server.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test("(a) Summit's published graphs, imported and exported again", { timeout: 600_000 }, async () => {
    summit(["import-summit", SUMMIT_DATA, "--out", join(tmp, "published"), "--embedding", "pca"]);
    summit(["export", join(tmp, "published"), join(tmp, "published-export")]);
    await checkOriginalUi(browser, ui.base, join(tmp, "published-export"), "original-ui-published");
  });

  test("(b) a synthetic InceptionV1 artifact (summit synth --channels inception)", { timeout: 600_000 }, async () => {
    // 280 classes: ImageNet's first 280, so white wolf (270) is there
    summit(["synth", join(tmp, "synth"), "--channels", "inception", "--classes", "280", "--images-per-class", "20",
      "--influence-rows", "1000000", "--seed", "4"], { SUMMIT_EXAMPLES_PER_NEURON: "3" });
    summit(["export", join(tmp, "synth"), join(tmp, "synth-export")]);
    await checkOriginalUi(browser, ui.base, join(tmp, "synth-export"), "original-ui-synth");
  });
});
