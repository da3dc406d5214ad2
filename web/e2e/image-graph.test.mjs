// Browser test: one image's attribution graph, in headless Chromium, against the real
// `summit serve --image-graphs --allow-upload` on a small real EfficientNet-Lite0 artifact
// (5 ImageNet images, 4 classes; tench has two), on the embedded store and on Neo4j
// (TEST_NEO4J_URI / _USER / _PASSWORD: `eval "$(scripts/neo4j.sh env)"`; missing = a failure).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, freePort, makeGql, newPage, REPO, RESULTS, run, waitHealthy } from "./harness.mjs";

const SHARED = join(REPO, "..", "shared", "data");
const IMAGES = {
  n01440764: [["imagenet-samples-1000/n01440764_tench.JPEG", "tench.JPEG"], ["imagenet-val-1300/data/ILSVRC2012_val_00023559.JPEG", "val_00023559.JPEG"]],
  n01443537: [["imagenet-samples-1000/n01443537_goldfish.JPEG", "goldfish.JPEG"]],
  n01484850: [["imagenet-samples-1000/n01484850_great_white_shark.JPEG", "great_white_shark.JPEG"]],
  n01491361: [["imagenet-samples-1000/n01491361_tiger_shark.JPEG", "tiger_shark.JPEG"]],
};
const UPLOAD = join(SHARED, "imagenet-samples-1000", "n01514668_cock.JPEG"); // a class the artifact lacks
const MODEL = "e2e-image-graph-lite0";
const IMAGE_GRAPH_Q = `query($model: String, $image: String!, $key: String) { model(id: $model) {
  imageGraph(image: $image, classKey: $key) { sharedNodes classNodes nodes { inClassGraph neuron { id } } } } }`;
const CLASS_GRAPH_Q = `query($model: String, $key: String!) { model(id: $model) { classGraph(classKey: $key) { nodes { neuron { id } } } } }`;

let tmp, browser;
const servers = [];
const pageErrors = [];

function neo4jEnv() {
  const missing = ["TEST_NEO4J_URI", "TEST_NEO4J_USER", "TEST_NEO4J_PASSWORD"].filter((k) => !process.env[k]);
  if (missing.length) throw new Error(`Neo4j test settings missing (${missing.join(", ")}): start it with scripts/neo4j.sh start && eval "$(scripts/neo4j.sh env)"`);
  return ["--neo4j", process.env.TEST_NEO4J_URI, "--user", process.env.TEST_NEO4J_USER, "--password-env", "TEST_NEO4J_PASSWORD"];
}

async function serve(name, storeArgs, extra) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const logs = [];
  const proc = spawn(join(REPO, ".venv", "bin", "summit"), ["serve", ...storeArgs, "--host", "127.0.0.1", "--port", String(port), ...extra],
    { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  proc.stdout.on("data", (d) => logs.push(String(d)));
  proc.stderr.on("data", (d) => logs.push(String(d)));
  servers.push(proc);
  await waitHealthy(base, proc, logs);
  if (extra.includes("--image-graphs")) { // the network is loaded in the background at start
    for (let i = 0; i < 480; i++) {
      const state = (await (await fetch(`${base}/healthz`)).json()).warmUp?.imageGraphs?.[MODEL];
      if (state === "ready") break;
      if (state) throw new Error(`${name}: image graphs not ready: ${state}\n${logs.join("")}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return { name, base, gql: makeGql(base), logs, browser };
}

const stacks = {};

before(async () => {
  const neo4j = neo4jEnv();
  tmp = mkdtempSync(join(tmpdir(), "summit-e2e-image-"));
  const data = join(tmp, "images"), art = join(tmp, "art");
  for (const [wnid, files] of Object.entries(IMAGES)) {
    mkdirSync(join(data, wnid), { recursive: true });
    for (const [src, name] of files) copyFileSync(join(SHARED, src), join(data, wnid, name));
  }
  run(["ingest", "--model", "efficientnet_lite0", "--data", data, "--out", art, "--run-id", MODEL, "--batch-size", "5",
    "--workers", "0", "--device", "cpu", "--no-progress"], { timeout: 900_000 });
  run(["load", art, "--embedded", join(tmp, "store")]);
  run(["load", art, ...neo4j]);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", args: CHROMIUM_ARGS, headless: true });
  stacks.embedded = await serve("embedded", ["--embedded", join(tmp, "store")], ["--image-graphs", "--allow-upload", "--no-warm-up"]);
  stacks.neo4j = await serve("neo4j", neo4j, ["--image-graphs", "--allow-upload", "--no-warm-up"]);
  stacks.off = await serve("off", neo4j, ["--no-warm-up"]);
});

after(async () => {
  await browser?.close().catch(() => {});
  for (const proc of servers) if (proc.exitCode === null) proc.kill("SIGTERM");
  await Promise.all(servers.map((p) => (p.exitCode !== null ? null : new Promise((r) => p.once("exit", r)))));
  const drop = "import os; from summit.store.neo4j_store import Neo4jStore as S; " +
    "s = S(os.environ['TEST_NEO4J_URI'], os.environ['TEST_NEO4J_USER'], os.environ['TEST_NEO4J_PASSWORD']); " +
    `s.drop_model(${JSON.stringify(MODEL)}); s.close()`;
  try { execFileSync(join(REPO, ".venv", "bin", "python"), ["-c", drop], { stdio: "ignore" }); } catch { /* the next load replaces it */ }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The app on one class, with its graph drawn and the image panel opened. */
async function openPanel(stack, classKey) {
  const page = await newPage(stack, pageErrors);
  await page.goto(`${stack.base}/?${new URLSearchParams({ model: MODEL, class: classKey })}`);
  await page.waitForFunction(() => document.querySelector("[data-testid=graph-area]")?.dataset.status === "ready", null, { timeout: 30_000 });
  await page.click("[data-testid=image-graph-open]");
  return page;
}

async function summary(page, check = () => true) {
  await page.waitForFunction(() => document.querySelector("[data-testid=image-graph-summary]"), null, { timeout: 60_000 });
  return page.$eval("[data-testid=image-graph-summary]", (el) => ({ ...el.dataset }));
}

/** RGBA at a neuron's tile centre on the class graph's canvas. */
async function mainPixel(page, id) {
  return page.$eval("[data-testid=graph-area] [data-testid=graph]", (wrap, nid) => {
    const point = wrap.summitNodePoint(nid);
    const canvas = wrap.querySelector("canvas");
    const r = canvas.getBoundingClientRect();
    const sx = canvas.width / r.width, sy = canvas.height / r.height;
    return [...canvas.getContext("2d").getImageData(Math.round((point[0] - r.left) * sx), Math.round((point[1] - r.top) * sy), 1, 1).data];
  }, id);
}

/** Those of `ids` whose tile centre lies on the class graph's visible canvas, in order. */
async function visible(page, ids) {
  return page.$eval("[data-testid=graph-area] [data-testid=graph]", (wrap, list) => {
    const r = wrap.querySelector("canvas").getBoundingClientRect();
    return list.filter((id) => {
      const p = wrap.summitNodePoint(id);
      return p && p[0] > r.left + 110 && p[0] < r.right - 10 && p[1] > r.top + 10 && p[1] < r.bottom - 10;
    });
  }, ids);
}

/** Steady pixels of up to `n` visible neurons of each kind (the panel narrows the graph, so some move off screen). */
async function probePixels(page, kinds, n = 4) {
  const out = {};
  for (const [kind, ids] of Object.entries(kinds)) {
    out[kind] = new Map();
    for (const id of (await visible(page, ids)).slice(0, n)) out[kind].set(id, await steadyPixel(page, id));
  }
  return out;
}

async function steadyPixel(page, id) {
  let last = null;
  for (let i = 0; i < 40; i++) {
    const now = await mainPixel(page, id);
    if (last && now.every((v, c) => v === last[c])) return now;
    last = now;
    await page.waitForTimeout(300);
  }
  return last;
}

for (const store of ["embedded", "neo4j"]) {
  describe(`one image's graph (${store} store)`, { concurrency: false }, () => {
    test("pick an example: the image's graph beside its class graph, shared neurons marked in both", async () => {
      const stack = stacks[store];
      const page = await newPage(stack, pageErrors);
      await page.goto(`${stack.base}/?${new URLSearchParams({ model: MODEL, class: "0" })}`);
      await page.waitForFunction(() => document.querySelector("[data-testid=graph-area]")?.dataset.status === "ready", null, { timeout: 30_000 });
      const image = "n01440764/val_00023559.JPEG";
      const want = (await stack.gql(IMAGE_GRAPH_Q, { model: MODEL, image, key: "0" })).model.imageGraph;
      const classNodes = (await stack.gql(CLASS_GRAPH_Q, { model: MODEL, key: "0" })).model.classGraph.nodes.map((n) => n.neuron.id);
      const shared = want.nodes.filter((n) => n.inClassGraph).map((n) => n.neuron.id);
      const notShared = classNodes.filter((id) => !shared.includes(id));
      assert.ok(shared.length > 0 && notShared.length > 0, "the tench image shares some but not all of its class graph");
      const probes = await probePixels(page, { shared, other: notShared });
      assert.ok(probes.shared.size && probes.other.size, "a shared and an unshared neuron on screen");

      await page.click("[data-testid=image-graph-open]");
      await page.waitForSelector(`[data-testid=image-choice][data-image="${image}"]`, { timeout: 30_000 });
      await page.click(`[data-testid=image-choice][data-image="${image}"]`);
      const s = await summary(page);
      assert.equal(Number(s.nodes), want.nodes.length);
      assert.equal(Number(s.shared), want.sharedNodes);
      assert.equal(Number(s.classNodes), want.classNodes);
      assert.equal(s.classIndex, "0");
      // the image's graph, drawn in the panel: shared neurons in the "shared" group
      await page.waitForFunction((n) => Number(document.querySelector("[data-testid=image-graph] [data-testid=graph]")?.dataset.nodeCount) === n,
        want.nodes.length, { timeout: 15_000 });
      const groups = await page.$$eval("[data-testid=image-graph] [data-node-id]", (els) => els.map((e) => [e.dataset.nodeId, e.dataset.group]));
      assert.deepEqual(groups.filter(([, g]) => g === "shared").map(([id]) => id).sort(), [...shared].sort());
      assert.equal(groups.filter(([, g]) => g === "b").length, want.nodes.length - shared.length);
      assert.match(await page.getAttribute("[data-testid=image-graph-summary] img.preview", "src"), /^data:image\/jpeg;base64,/);
      assert.match(await page.textContent("[data-testid=image-predictions]"), /tench/);
      // the class graph: the shared neuron keeps its look, the others fade
      await page.waitForTimeout(400);
      const probe = {
        shared: (await visible(page, [...probes.shared.keys()]))[0],
        other: (await visible(page, [...probes.other.keys()]))[0],
      };
      assert.ok(probe.shared && probe.other, `a probed shared and unshared neuron still on screen beside the panel: ${JSON.stringify(probe)}`);
      const before = { shared: probes.shared.get(probe.shared), other: probes.other.get(probe.other) };
      const afterOpen = { shared: await mainPixel(page, probe.shared), other: await mainPixel(page, probe.other) };
      assert.ok(afterOpen.shared.every((v, c) => Math.abs(v - before.shared[c]) <= 6), `shared neuron unchanged: ${before.shared} -> ${afterOpen.shared}`);
      const lightness = (px) => px[0] + px[1] + px[2];
      assert.ok(lightness(afterOpen.other) > lightness(before.other) + 30, `other neuron faded: ${before.other} -> ${afterOpen.other}`);
      await page.screenshot({ path: join(RESULTS, `image-graph-${store}.png`) });
      // another personalisation: recomputed, and said so
      await page.click("[data-testid=personalization-CLASS]");
      await page.waitForFunction(() => document.querySelector("[data-testid=image-graph-summary]")?.dataset.personalization === "CLASS", null, { timeout: 60_000 });
      await page.close();
      assert.deepEqual(pageErrors, []);
    });

    test("upload a JPEG: its graph beside the class graph; a bad file is refused with the reason", async () => {
      const stack = stacks[store];
      const page = await openPanel(stack, "1");
      await page.setInputFiles("[data-testid=image-upload]", UPLOAD);
      await page.waitForFunction(() => document.querySelector("[data-testid=image-graph-panel]")?.dataset.image.startsWith("upload:"), null, { timeout: 30_000 });
      const s = await summary(page, () => true);
      assert.equal(s.classIndex, "1");
      await page.waitForFunction(() => /cock/.test(document.querySelector("[data-testid=image-predictions]")?.textContent ?? ""), null, { timeout: 60_000 });
      assert.ok(Number(s.nodes) > 0);
      await page.setInputFiles("[data-testid=image-upload]", { name: "broken.png", mimeType: "image/png", buffer: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from("not really")]) });
      await page.waitForSelector("[data-testid=image-upload-error]", { timeout: 15_000 });
      assert.match(await page.textContent("[data-testid=image-upload-error]"), /cannot be decoded/);
      await page.setInputFiles("[data-testid=image-upload]", { name: "anim.gif", mimeType: "image/gif", buffer: Buffer.from("GIF89a") });
      await page.waitForFunction(() => /anim\.gif is not a JPEG or PNG/.test(document.querySelector("[data-testid=image-upload-error]")?.textContent ?? ""), null, { timeout: 5_000 });
      await page.close();
      assert.deepEqual(pageErrors, []);
    });
  });
}

test("a server without --image-graphs says how to turn them on", async () => {
  const page = await openPanel(stacks.off, "0");
  await page.waitForSelector("[data-testid=image-graph-unavailable]", { timeout: 15_000 });
  assert.match(await page.textContent("[data-testid=image-graph-unavailable]"), /--image-graphs/);
  assert.equal(await page.$("[data-testid=image-upload]"), null);
  await page.close();
  assert.deepEqual(pageErrors, []);
});
