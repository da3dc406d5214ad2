// Browser tests: headless Chromium against the real `summit serve` on a small real artifact.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { newPage, REPO, RESULTS, startStack } from "./harness.mjs";

const GRAPH_Q = `query($model: String, $key: String!, $topN: Int, $minWeight: Int) { model(id: $model) { classGraph(classKey: $key, topN: $topN, minWeight: $minWeight) {
  class { index wnid name } nodes { neuron { id layerIndex } } edges { src dst weight } } } }`;
const CLASSES_Q = `query($model: String) { model(id: $model) { classes(first: 100) { edges { node { index wnid name } } } } }`;
const COMPARE_Q = `query($model: String, $a: String!, $b: String!) { model(id: $model) { compare(a: $a, b: $b) { shared { neuron { id } } onlyA { neuron { id } } onlyB { neuron { id } } edges { src } } } }`;
const PATHS_Q = `query($model: String, $key: String!, $from: String!) { model(id: $model) { paths(classKey: $key, from: $from, k: 5) { neurons } } }`;

const PATHS_TO_Q = `query($model: String, $key: String!, $from: String!, $to: String) { model(id: $model) { paths(classKey: $key, from: $from, to: $to, k: 5) { neurons } } }`;

let stack;
let classes;
const pageErrors = [];

async function graphCounts(key, topN = null, minWeight = 0, model = stack.models.main) {
  const g = (await stack.gql(GRAPH_Q, { model, key, topN, minWeight })).model.classGraph;
  return { nodes: g.nodes.length, edges: g.edges.length, graph: g };
}

async function waitGraph(page, { classIndex, nodes, edges, mode = "single" }) {
  await page.waitForFunction(
    ({ classIndex, nodes, edges, mode }) => {
      const area = document.querySelector("[data-testid=graph-area]");
      const g = document.querySelector("[data-testid=graph]");
      return area?.dataset.status === "ready" && area.dataset.mode === mode && Number(area.dataset.classIndex) === classIndex &&
        g && (nodes === undefined || Number(g.dataset.nodeCount) === nodes) && (edges === undefined || Number(g.dataset.edgeCount) === edges);
    },
    { classIndex, nodes, edges, mode },
    { timeout: 15_000 },
  );
}

async function graphAttrs(page) {
  return page.$eval("[data-testid=graph]", (g) => ({ ...g.dataset }));
}

async function shot(page, name) {
  await page.screenshot({ path: join(RESULTS, `${name}.png`) });
}

async function setRange(page, testid, value) {
  await page.$eval(`[data-testid=${testid}]`, (el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, value);
}

/** Open the app on the main test model; `query` adds URL parameters ("?class=..."). */
async function open(page, query = "") {
  const params = new URLSearchParams(query);
  if (!params.has("model")) params.set("model", stack.models.main);
  await page.goto(`${stack.base}/?${params}`);
  await page.waitForSelector("[data-testid=class-row]", { timeout: 20_000 });
}

describe("Summit web app (real server, headless Chromium)", { concurrency: false }, () => {
  before(async () => {
    stack = await startStack();
    classes = (await stack.gql(CLASSES_Q, { model: stack.models.main })).model.classes.edges.map((e) => e.node);
  });
  after(async () => {
    await stack?.stop();
  });

  test("the page loads with its title and the class list", async () => {
    const page = await newPage(stack, pageErrors);
    await open(page);
    assert.match(await page.title(), /Summit/);
    assert.equal(await page.textContent("h1"), "Summit");
    const rows = await page.$$("[data-testid=class-row]");
    assert.equal(rows.length, classes.length);
    // the header names the graph rules; this project's profile shows the true-class histogram
    assert.equal(await page.getAttribute("[data-testid=model-fidelity]", "data-graph-method"), "explorer+");
    assert.match(await page.textContent("[data-testid=model-fidelity]"), /graphs: explorer\+/);
    assert.equal(await page.getAttribute("[data-testid=class-row] [data-hist]", "data-hist"), "true");
    await page.waitForSelector("[data-testid=graph-empty]");
    await shot(page, "01-start");
    await page.close();
  });

  test("a first view of a class asks nothing the server must compute: both answers were pre-rendered at start", async () => {
    for (let i = 0; (await fetch(`${stack.base}/readyz`)).status !== 200; i++) {
      assert.ok(i < 600, "the server never became ready");
      await new Promise((r) => setTimeout(r, 100));
    }
    const cache = async () => (await (await fetch(`${stack.base}/healthz`)).json()).responseCache;
    const CLASS_VIEW = /^query (ClassGraph|ClassGraphImages)\(/;
    /** Open class `c` in a fresh page; the GraphQL requests it POSTed (body, and whether the answer was
     * `Cache-Control: no-store`: notes, the viewer's rights), once the page's network is quiet. */
    async function view(c) {
      const page = await newPage(stack, pageErrors);
      const answers = [];
      page.on("response", (r) => {
        const request = r.request();
        if (request.method() !== "POST" || !request.url().endsWith("/graphql")) return;
        answers.push({ body: request.postData(), noStore: /no-store/.test(r.headers()["cache-control"] ?? "") });
      });
      const tiles = page.waitForResponse((r) => (r.request().postData() ?? "").includes("query ClassGraphImages("), { timeout: 20_000 });
      await open(page, `class=${c.wnid}`);
      await waitGraph(page, { classIndex: c.index });
      await tiles;
      await page.waitForLoadState("networkidle");
      await page.close();
      return answers;
    }
    const [a, b] = classes.slice(-2); // no other test opens these two
    // class a first: the queries of the page that do not depend on the class (models, classes, ...) get cached
    const primed = new Set((await view(a)).map((answer) => answer.body));
    const before = await cache();
    const answers = await view(b);
    const after = await cache();
    const ops = answers.map(({ body }) => JSON.parse(body).query.match(/^(?:query|mutation) (\w+)/)?.[1]);
    assert.ok(ops.includes("ClassGraph") && ops.includes("ClassGraphImages"), `class view requests: ${ops.join(", ")}`);
    // every other query new to this page (it depends on the class) is computed once, and every answer the
    // cache may not keep (no-store) each time; the class view never
    const others = new Set(answers.filter(({ body, noStore }) => !noStore && !primed.has(body) && !CLASS_VIEW.test(JSON.parse(body).query))
      .map(({ body }) => body));
    const uncacheable = answers.filter(({ noStore }) => noStore).length;
    assert.ok(!answers.some(({ body, noStore }) => noStore && CLASS_VIEW.test(JSON.parse(body).query)), "class views are cacheable");
    assert.equal(after.misses - before.misses, others.size + uncacheable, `misses; this page asked ${ops.join(", ")}`);
    assert.ok(after.hits - before.hits >= 2, "the class view's two answers came from the cache");
  });

  test("selecting a class from the list draws its graph with the API's node and edge counts", async () => {
    const page = await newPage(stack, pageErrors);
    await open(page);
    const c = classes[2];
    const want = await graphCounts(c.wnid);
    assert.ok(want.nodes > 0, "the fixture class graph has neurons");
    await page.click(`[data-testid=class-row][data-class-index="${c.index}"]`);
    await waitGraph(page, { classIndex: c.index, nodes: want.nodes, edges: want.edges });
    const attrs = await graphAttrs(page);
    assert.equal(Number(attrs.nodeCount), want.nodes);
    assert.equal(Number(attrs.edgeCount), want.edges);
    assert.equal(await page.$$eval("[data-node-id]", (els) => els.length), want.nodes);
    assert.ok(Number(attrs.crossings) <= Number(attrs.fileOrderCrossings), "layout is no worse than file order");
    assert.match(await page.textContent("[data-testid=graph-title]"), new RegExp(c.name));
    assert.match(page.url(), new RegExp(`class=${c.wnid}`));
    await shot(page, "02-class-from-list");
    await page.close();
  });

  test("clicking a point in the embedding selects that class", async () => {
    const page = await newPage(stack, pageErrors);
    await open(page);
    await page.waitForSelector("[data-testid=embedding]");
    const c = classes[5];
    await page.waitForFunction(() => Number(document.querySelector("[data-testid=embedding]")?.dataset.pointCount) > 0);
    await page.waitForSelector("[data-testid=embedding][data-settled=true]"); // the initial glide has finished
    const pt = await page.$eval("[data-testid=embedding]", (el, i) => el.summitPointAt(i), c.index);
    assert.ok(pt, "the class has an embedding point");
    await page.mouse.click(pt[0], pt[1]);
    const want = await graphCounts(c.wnid);
    await waitGraph(page, { classIndex: c.index, nodes: want.nodes, edges: want.edges });
    await shot(page, "03-class-from-embedding");

    // Hovering a class row highlights its point (drawn in the hover colour #2f6fde).
    const other = classes[8];
    await page.hover(`[data-testid=class-row][data-class-index="${other.index}"]`);
    await page.waitForTimeout(100);
    const rgb = await page.$eval("[data-testid=embedding]", (el, i) => {
      const [x, y] = el.summitPointAt(i);
      const cv = el.querySelector("canvas"), r = cv.getBoundingClientRect(), d = window.devicePixelRatio || 1;
      const px = cv.getContext("2d").getImageData(Math.round((x - r.left) * d), Math.round((y - r.top) * d), 1, 1).data;
      return [px[0], px[1], px[2]];
    }, other.index);
    assert.ok(rgb.every((v, i) => Math.abs(v - [0x2f, 0x6f, 0xde][i]) < 40), `hovered row's point colour ${rgb}`);

    // The layer minimap moves the points to another layer's embedding.
    const layers = await page.$$eval("[data-testid=layer-minimap] button", (bs) => bs.map((b) => b.dataset.layer));
    assert.ok(layers.length >= 2, "one minimap button per layer");
    const before = await page.$eval("[data-testid=embedding]", (el, i) => el.summitPointAt(i), c.index);
    await page.click(`[data-testid=layer-minimap] button[data-layer="${layers[0]}"]`);
    await page.waitForFunction((l) => new URLSearchParams(location.search).get("layer") === l, layers[0]);
    await page.waitForSelector("[data-testid=embedding][data-settled=true]");
    const moved = await page.$eval("[data-testid=embedding]", (el, i) => el.summitPointAt(i), c.index);
    assert.notDeepEqual(moved, before, "points moved to the first layer's positions");
    await page.close();
  });

  test("hovering a neuron shows its example patches; hovering an edge shows both ends", async () => {
    const page = await newPage(stack, pageErrors);
    const c = classes[1];
    await open(page, `?class=${c.wnid}`);
    const want = await graphCounts(c.wnid);
    await waitGraph(page, { classIndex: c.index, nodes: want.nodes });
    const id = want.graph.nodes[0].neuron.id;
    const box = await page.$eval("[data-testid=graph]", (el, id) => el.summitNodePoint(id), id);
    await page.mouse.move(box[0], box[1]);
    await page.waitForSelector("[data-testid=hover-card]");
    await page.waitForFunction(() => {
      const imgs = [...document.querySelectorAll("[data-testid=hover-card] [data-testid=example-patch]")];
      return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
    }, null, { timeout: 10_000 });
    assert.match(await page.textContent("[data-testid=hover-card]"), new RegExp(id));
    await shot(page, "04-hover-neuron");
    if (process.env.UPDATE_SCREENSHOT === "1") {
      // The README picture (docs/screenshot.png); opt-in so test runs leave the tree clean.
      mkdirSync(join(REPO, "docs"), { recursive: true });
      copyFileSync(join(RESULTS, "04-hover-neuron.png"), join(REPO, "docs", "screenshot.png"));
    }

    // Edges overlap; hover edge midpoints until the card names that edge (the topmost one there).
    let hit = null;
    for (const e of want.graph.edges.slice(0, 15)) {
      await page.mouse.move(5, 5);
      const ep = await page.$eval("[data-testid=graph]", (el, e) => el.summitEdgePoint(e.src, e.dst), e);
      assert.ok(ep, "edge is drawn");
      await page.mouse.move(ep[0], ep[1]);
      await page.waitForFunction(() => document.querySelectorAll("[data-testid=hover-card] .side").length === 2, null, { timeout: 5000 });
      const title = await page.textContent("[data-testid=hover-card] .title");
      if (title.startsWith(`${e.src} → ${e.dst}`)) { hit = e; break; }
    }
    assert.ok(hit, "hovering an edge's midpoint shows that edge");
    const text = await page.textContent("[data-testid=hover-card]");
    assert.ok(text.includes(hit.src) && text.includes(hit.dst), `hover card names both ends: ${text}`);
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=hover-card] [data-testid=example-patch]").length >= 2);
    await shot(page, "05-hover-edge");
    await page.close();
  });

  test("the sliders change the drawn counts to what the API returns for those settings", async () => {
    const page = await newPage(stack, pageErrors);
    const c = classes[3];
    await open(page, `?class=${c.wnid}`);
    const full = await graphCounts(c.wnid);
    await waitGraph(page, { classIndex: c.index, nodes: full.nodes, edges: full.edges });
    await page.waitForFunction(() => Number(document.querySelector("[data-testid=topn-slider]")?.max) > 1);
    await setRange(page, "topn-slider", 3);
    const top3 = await graphCounts(c.wnid, 3, 0);
    assert.ok(top3.nodes < full.nodes, "topN=3 keeps fewer neurons");
    await waitGraph(page, { classIndex: c.index, nodes: top3.nodes, edges: top3.edges });
    assert.match(page.url(), /topN=3/);
    const weights = top3.graph.edges.map((e) => e.weight);
    const mid = Math.min(...weights.filter((w) => w > Math.min(...weights)));
    assert.ok(Number.isFinite(mid), "the fixture's top-3 graph has edges of different weights");
    await setRange(page, "minweight-slider", mid);
    const both = await graphCounts(c.wnid, 3, mid);
    await waitGraph(page, { classIndex: c.index, nodes: both.nodes, edges: both.edges });
    assert.ok(both.edges < top3.edges || top3.edges === 0, "min weight removes edges");
    await shot(page, "06-sliders");
    await page.close();
  });

  test("compare mode colours shared, only-A and only-B neurons", async () => {
    const page = await newPage(stack, pageErrors);
    const a = classes[0], b = classes[1];
    await open(page, `?class=${a.wnid}`);
    await waitGraph(page, { classIndex: a.index });
    await page.click(`[data-testid=class-row][data-class-index="${b.index}"] ~ [data-testid=compare-button]`);
    const cmp = (await stack.gql(COMPARE_Q, { model: stack.models.main, a: a.wnid, b: b.wnid })).model.compare;
    const total = cmp.shared.length + cmp.onlyA.length + cmp.onlyB.length;
    await waitGraph(page, { classIndex: a.index, mode: "compare", nodes: total });
    const legend = await page.$eval("[data-testid=compare-legend]", (el) => ({ ...el.dataset }));
    assert.deepEqual([Number(legend.shared), Number(legend.onlyA), Number(legend.onlyB)], [cmp.shared.length, cmp.onlyA.length, cmp.onlyB.length]);
    assert.ok(cmp.shared.length > 0, "the fixture classes share neurons");
    const groups = await page.$$eval("[data-node-id]", (els) => els.map((e) => [e.dataset.nodeId, e.dataset.group]));
    const shared = new Set(cmp.shared.map((n) => n.neuron.id));
    for (const [id, g] of groups) assert.equal(g === "shared", shared.has(id), `${id} group ${g}`);
    // The shared neuron's tile border is drawn in the shared colour (#7b3fbf) on the canvas.
    const id = cmp.shared[0].neuron.id;
    const rgb = await page.$eval("[data-testid=graph]", (el, id) => {
      const b = el.summitNodeBox(id);
      const cv = el.querySelector("canvas");
      const d = window.devicePixelRatio || 1;
      const px = cv.getContext("2d").getImageData(Math.round((b.x - b.size / 2) * d), Math.round(b.y * d), 1, 1).data;
      return [px[0], px[1], px[2]];
    }, id);
    const near = (p, q) => p.every((v, i) => Math.abs(v - q[i]) < 40);
    assert.ok(near(rgb, [0x7b, 0x3f, 0xbf]), `shared border colour ${rgb}`);
    await shot(page, "07-compare");
    await page.close();
  });

  test("a copied URL restores the same view (class, sliders, neuron panel, zoom)", async () => {
    const page = await newPage(stack, pageErrors);
    const c = classes[4];
    await open(page);
    await page.click(`[data-testid=class-row][data-class-index="${c.index}"]`);
    await waitGraph(page, { classIndex: c.index });
    await setRange(page, "topn-slider", 4);
    const want = await graphCounts(c.wnid, 4, 0);
    await waitGraph(page, { classIndex: c.index, nodes: want.nodes, edges: want.edges });
    const nid = want.graph.nodes[want.graph.nodes.length - 1].neuron.id;
    await page.click(`[data-node-id="${nid}"]`);
    await page.waitForSelector(`[data-testid=neuron-panel][data-neuron-id="${nid}"]`);
    await page.focus("[data-testid=graph]");
    await page.keyboard.press("+");
    await page.keyboard.press("+");
    await page.waitForTimeout(400); // URL updates are debounced
    const url = page.url();
    const before = await graphAttrs(page);
    const page2 = await newPage(stack, pageErrors);
    await page2.goto(url);
    await waitGraph(page2, { classIndex: c.index, nodes: want.nodes, edges: want.edges });
    await page2.waitForSelector(`[data-testid=neuron-panel][data-neuron-id="${nid}"]`);
    const after = await graphAttrs(page2);
    assert.equal(after.zoom, before.zoom);
    assert.equal(await page2.$eval("[data-testid=topn-slider]", (e) => e.value), "4");
    await page2.waitForSelector("[data-testid=panel-example]");
    await shot(page2, "08-restored");
    await page.close();
    await page2.close();
  });

  test("an unknown class in the URL shows an error message", async () => {
    const page = await newPage(stack, pageErrors);
    await open(page, "?class=no-such-class-xyz");
    await page.waitForSelector("[data-testid=graph-error]");
    const text = await page.textContent("[data-testid=graph-error]");
    assert.match(text, /Unknown class|not found|no class/i);
    assert.match(text, /no-such-class-xyz/);
    await shot(page, "09-unknown-class");
    await page.close();
  });

  test("keyboard: search the class list, Enter selects, arrows move between neurons, Enter opens one", async () => {
    const page = await newPage(stack, pageErrors);
    await open(page);
    const c = classes[7];
    await page.fill("[data-testid=class-search]", c.name);
    await page.waitForFunction((n) => document.querySelectorAll("[data-testid=class-row]").length >= 1 && [...document.querySelectorAll("[data-testid=class-row]")].some((r) => r.textContent.includes(n)), c.name);
    await page.focus(`[data-testid=class-row][data-class-index="${c.index}"]`);
    await page.keyboard.press("Enter");
    await waitGraph(page, { classIndex: c.index });
    await page.focus("[data-testid=graph]");
    // Walk down to the input-side row: the focused neuron is scrolled into view each time.
    await page.keyboard.press("ArrowRight");
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press("ArrowDown");
      const inView = await page.$eval("[data-testid=graph]", (el) => {
        const id = el.querySelector(".sr-only").textContent.replace("neuron ", "");
        const b = el.summitNodeBox(id);
        return b && b.y - b.size / 2 >= 0 && b.y + b.size / 2 <= el.clientHeight && b.x - b.size / 2 >= 0 && b.x + b.size / 2 <= el.clientWidth;
      });
      assert.ok(inView, `focused neuron visible after ${i + 1} ArrowDown presses`);
    }
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=neuron-panel]");
    await page.keyboard.press("Escape");
    await page.waitForSelector("[data-testid=neuron-panel]", { state: "detached" });
    await page.close();
  });

  test("neuron search opens the neuron's panel; strongest paths are listed and match the API", async () => {
    const page = await newPage(stack, pageErrors);
    const c = classes[6];
    await open(page, `?class=${c.wnid}`);
    const g = await graphCounts(c.wnid);
    await waitGraph(page, { classIndex: c.index, nodes: g.nodes });
    const lowest = Math.min(...g.graph.nodes.map((n) => n.neuron.layerIndex));
    const from = g.graph.nodes.find((n) => n.neuron.layerIndex === lowest && g.graph.edges.some((e) => e.src === n.neuron.id || e.dst === n.neuron.id)).neuron.id;
    await page.fill("[data-testid=neuron-search]", from);
    await page.waitForSelector(`[data-testid=search-hit][data-kind=neuron]`);
    await page.keyboard.press("Enter");
    await page.waitForSelector(`[data-testid=neuron-panel][data-neuron-id="${from}"]`);
    await page.waitForSelector("[data-testid=path-from]");
    await page.click("[data-testid=path-from]");
    const want = (await stack.gql(PATHS_Q, { model: stack.models.main, key: c.wnid, from })).model.paths;
    await page.waitForFunction((n) => document.querySelector("[data-testid=paths]")?.querySelector("ol, p.muted:not([role=status])") && Number(document.querySelector("[data-testid=paths]").dataset.pathCount) === n, want.length);
    await shot(page, "10-paths");

    // Paths between two chosen neurons: open a neuron on the first path, "paths from -> here".
    assert.ok(want.length > 0, "the fixture has a path to the top layer");
    const to = want[0].neurons[2];
    await page.click(`[data-node-id="${to}"]`);
    await page.waitForSelector(`[data-testid=neuron-panel][data-neuron-id="${to}"]`);
    await page.click("[data-testid=path-to]");
    const between = (await stack.gql(PATHS_TO_Q, { model: stack.models.main, key: c.wnid, from, to })).model.paths;
    assert.ok(between.length > 0 && between.every((p) => p.neurons[0] === from && p.neurons.at(-1) === to));
    await page.waitForFunction(({ n, to }) => {
      const el = document.querySelector("[data-testid=paths]");
      return el && el.textContent.includes(`→ ${to}`) && el.querySelector("ol") && Number(el.dataset.pathCount) === n;
    }, { n: between.length, to });
    await page.waitForFunction((to) => new URLSearchParams(location.search).get("to") === to, to);
    await page.close();
  });

  test("select a class -> 60-node graph drawn within 300 ms (performance marks set by the app)", async () => {
    const page = await newPage(stack, pageErrors);
    // 60 neurons = 12 per layer x 5 layers.
    const perLayer = 60 / 5;
    await open(page, `?topN=${perLayer}`);
    const times = [];
    const split = [];
    const sixty = [];
    for (const c of classes) {
      const want = await graphCounts(c.wnid, perLayer, 0);
      if (want.nodes === 60) sixty.push([c, want]);
    }
    assert.ok(sixty.length >= 3, `at least 3 fixture classes have 60 neurons at topN=${perLayer} (got ${sixty.length})`);
    for (const [c, want] of sixty.slice(0, 7)) {
      // Select with the app idle (no request of the previous selection still running), as a user would.
      await page.waitForFunction(() => document.querySelector("[data-testid=app]").dataset.pending === "0", null, { timeout: 15_000 });
      await page.evaluate(() => { document.querySelector("[data-testid=app]").dataset.selectToDrawMs = ""; });
      await page.click(`[data-testid=class-row][data-class-index="${c.index}"]`);
      await waitGraph(page, { classIndex: c.index, nodes: 60, edges: want.edges });
      await page.waitForFunction(() => document.querySelector("[data-testid=app]").dataset.selectToDrawMs !== "");
      const [ms, req, client] = await page.evaluate(() => ["summit:select-to-graph", "summit:select-to-data", "summit:data-to-drawn"]
        .map((n) => performance.getEntriesByName(n).at(-1).duration));
      times.push(ms);
      split.push(`${req.toFixed(0)}+${client.toFixed(0)}`);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(`select -> 60-node graph drawn: median ${median.toFixed(1)} ms, sorted ${times.map((t) => t.toFixed(1)).join(", ")} ms; ` +
      `per selection request+browser ${split.join(", ")} ms`);
    assert.ok(median <= 300, `median ${median.toFixed(1)} ms > 300 ms`);
    await shot(page, "11-sixty-nodes");
    await page.close();
  });

  test("the model switcher moves to the second model; its ~500-neuron graph pans and zooms smoothly", async () => {
    const page = await newPage(stack, pageErrors);
    await open(page);
    await page.selectOption("[data-testid=model-switcher]", stack.models.big);
    await page.waitForFunction((id) => new URLSearchParams(location.search).get("model") === id, stack.models.big);
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=class-row]").length === 3, null, { timeout: 20_000 });
    const big = (await stack.gql(CLASSES_Q, { model: stack.models.big })).model.classes.edges.map((e) => e.node);
    // Summit's rules: the header says so and the class list shows Summit's top-1 confidence histogram
    await page.waitForFunction(() => document.querySelector("[data-testid=model-fidelity]")?.dataset.graphMethod === "summit+");
    assert.equal(await page.getAttribute("[data-testid=class-row] [data-hist]", "data-hist"), "top1");
    const c = big[0];
    const want = await graphCounts(c.wnid, null, 0, stack.models.big);
    assert.ok(want.nodes >= 450, `big graph has ${want.nodes} neurons`);
    await page.click(`[data-testid=class-row][data-class-index="${c.index}"]`);
    await waitGraph(page, { classIndex: c.index, nodes: want.nodes, edges: want.edges });
    await page.waitForTimeout(1500); // tile images arrive
    const box = await page.$eval("[data-testid=graph]", (el) => { const r = el.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; });
    await page.$eval("[data-testid=graph]", (el) => el.summitDrawTimes());
    const t0 = Date.now();
    await page.mouse.move(box[0], box[1]);
    const zoomOf = () => page.$eval("[data-testid=graph]", (el) => Number(el.dataset.zoom));
    const probe = (await page.$$eval("[data-testid=graph] [data-node-id]", (els) => els.map((e) => e.dataset.nodeId)))[0];
    const boxOf = () => page.$eval("[data-testid=graph]", (el, id) => el.summitNodeBox(id), probe);
    // Ctrl+wheel (and trackpad pinch) zooms ...
    const k0 = await zoomOf();
    await page.keyboard.down("Control");
    for (let i = 0; i < 15; i++) await page.mouse.wheel(0, i < 8 ? -60 : 40);
    await page.keyboard.up("Control");
    const k1 = await zoomOf();
    assert.notEqual(k1, k0, "ctrl+wheel zooms");
    // ... the plain wheel scrolls vertically at the same zoom.
    const b0 = await boxOf();
    for (let i = 0; i < 15; i++) await page.mouse.wheel(0, i % 2 ? -20 : 30);
    const b1 = await boxOf();
    assert.equal(await zoomOf(), k1, "the plain wheel does not zoom");
    // Net 8 * 30 - 7 * 20 = 100 px down (less only where the graph's bottom edge stops the scroll).
    assert.ok(b1.y < b0.y && b0.y - b1.y <= 100.5 && Math.abs(b1.x - b0.x) < 1e-6, `wheel scrolled by ${b1.y - b0.y} px`);
    await page.mouse.down();
    for (let i = 0; i < 30; i++) await page.mouse.move(box[0] + 8 * i, box[1] + 3 * i);
    await page.mouse.up();
    const wall = Date.now() - t0;
    await page.waitForTimeout(100);
    const draws = (await page.$eval("[data-testid=graph]", (el) => el.summitDrawTimes())).sort((a, b) => a - b);
    const p95 = draws[Math.floor(draws.length * 0.95)];
    const median = draws[Math.floor(draws.length / 2)];
    console.log(`${want.nodes}-node graph, ${want.edges} edges: ${draws.length} redraws during 60 zoom/pan steps (${wall} ms); canvas draw median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`);
    assert.ok(draws.length >= 20, `the canvas redrew while panning and zooming (${draws.length} draws)`);
    // One frame at 60 fps is 16.7 ms: the typical redraw must fit; rare slow frames are allowed on a busy CI box.
    assert.ok(median <= 16.7, `median draw ${median.toFixed(1)} ms > 16.7 ms`);
    assert.ok(p95 <= 100, `p95 draw ${p95.toFixed(1)} ms > 100 ms`);
    await shot(page, "12-big-graph");
    await page.close();
  });

  test("no uncaught page errors", () => {
    assert.deepEqual(pageErrors, []);
  });
});
