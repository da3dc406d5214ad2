// Drive the real Neo4j Browser (served by Neo4j, e.g. scripts/neo4j.sh) in headless Chromium the
// way a person does: log in with the connect form, paste snippets into the editor, run them, read
// what Browser shows. tests/store/test_browser.py and bench/bench_cookbook.py use it.
//
//   NEO4J_BROWSER_PASSWORD=... node scripts/neo4j-browser.mjs SPEC.json OUT.json
//
// SPEC: {url, user, steps: [{name, paste, read: "frame"|"command"|"rows"|"table", colours?, screenshot?, fullscreen?, settle_ms?}]}
//   paste       text pasted into the editor and run with Ctrl+Enter (several statements: one frame
//               listing each statement's status)
//   read        "frame": the statuses of a multi-statement frame (or the one statement's status);
//               "command": the text of a Browser command's frame (e.g. :style);
//               "rows": the status bar of a result frame (records, or nodes and relationships drawn);
//               "table": the cells of a table result, as rows of strings
//   colours     also read each drawn node's caption and fill colour
//   screenshot  save a picture of the result frame there (after settle_ms, default 4000; with
//               fullscreen: true, of the frame in Browser's fullscreen view)
// OUT: {bolt_prefill, steps: [{name, ok, error, statuses, status_text, records, nodes, relationships,
//       table, colours, ms}]}
import { writeFileSync, readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const [specPath, outPath] = process.argv.slice(2);
if (!specPath || !outPath) {
  console.error("usage: NEO4J_BROWSER_PASSWORD=... node scripts/neo4j-browser.mjs SPEC.json OUT.json");
  process.exit(2);
}
const spec = JSON.parse(readFileSync(specPath, "utf8"));
const password = process.env.NEO4J_BROWSER_PASSWORD;
if (!password) {
  console.error("set NEO4J_BROWSER_PASSWORD");
  process.exit(2);
}
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const TIMEOUT = Number(spec.timeout_ms ?? 60_000);

const browser = await chromium.launch({
  executablePath: CHROMIUM, headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
const result = { bolt_prefill: null, steps: [], page_errors: [] };
try {
  const origin = new URL(spec.url).origin;
  const context = await browser.newContext({ viewport: { width: spec.width ?? 1280, height: spec.height ?? 800 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
  const page = await context.newPage();
  page.on("pageerror", (e) => result.page_errors.push(String(e)));
  // Browser re-renders a frame's element as results arrive: waits look the newest frame up afresh
  await page.addInitScript(() => {
    window.firstFrame = () => document.querySelector("[data-testid=frame]") ?? document.createElement("div");
  });
  await page.goto(spec.url);

  // The connect form, as a new user sees it: Browser pre-fills the address the server advertises.
  await page.waitForSelector("[data-testid=boltaddress]", { timeout: TIMEOUT });
  result.bolt_prefill = await page.inputValue("[data-testid=boltaddress]");
  await page.selectOption("[data-testid=bolt-scheme-select]", "bolt://");
  await page.fill("[data-testid=username]", spec.user ?? "neo4j");
  await page.fill("[data-testid=password]", password);
  await page.click("[data-testid=connect]");
  await page.waitForSelector("text=You are connected as user", { timeout: TIMEOUT });

  const editor = page.locator("[data-testid=activeEditor] .monaco-editor[role=code]");
  const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
  /** Paste ``text`` into the editor as a person does (clipboard, Ctrl+V), check it arrived whole, run it. */
  async function paste(text) {
    const want = text.replace(/\r\n/g, "\n").trimEnd();
    for (let attempt = 0; ; attempt++) {
      await editor.click();
      await page.keyboard.press("Control+A");
      await page.keyboard.press("Delete");
      await page.evaluate((t) => navigator.clipboard.writeText(t), text);
      await page.keyboard.press("Control+V");
      // read the editor back (select all, copy): a busy machine can run Ctrl+Enter before the paste lands
      let got = "";
      for (let i = 0; i < 20 && got !== want; i++) {
        await page.waitForTimeout(100 + 50 * i);
        await page.evaluate(() => navigator.clipboard.writeText(""));
        await page.keyboard.press("Control+A");
        await page.keyboard.press("Control+C");
        got = (await clipboard()).replace(/\r\n/g, "\n").trimEnd();
      }
      if (got === want) break;
      if (attempt === 2) throw new Error(`the editor holds ${JSON.stringify(got.slice(0, 200))} after pasting`);
    }
    await page.keyboard.press("Control+Enter");
  }
  async function clear() {
    for (let attempt = 0; ; attempt++) {
      await paste(":clear");
      try {
        await page.waitForFunction(() => document.querySelectorAll("[data-testid=frame]").length === 0, null,
          { timeout: 15_000 });
        return;
      } catch (e) {
        if (attempt === 2) throw new Error(`:clear left frames on the page: ${e}`);
      }
    }
  }

  for (const step of spec.steps) {
    const out = { name: step.name, ok: false, error: null };
    result.steps.push(out);
    let phase = "clear";
    try {
      await clear();
      const t0 = Date.now();
      phase = "paste";
      await paste(step.paste);
      phase = "read";
      const frame = page.locator("[data-testid=frame]").first();
      await frame.waitFor({ timeout: TIMEOUT });
      if (step.read === "frame") {
        Object.assign(out, await readStatements(page, frame));
      } else if (step.read === "command") {
        Object.assign(out, await readCommand(page, frame));
      } else {
        Object.assign(out, await readResult(page, frame, step.read === "table"));
      }
      out.ms = Date.now() - t0;
      if (step.colours && !out.error) {
        // each drawn node's caption and fill colour, once the visualisation has drawn them
        await frame.locator("svg g.node circle.b-outline").first().waitFor({ timeout: TIMEOUT });
        await page.waitForTimeout(500);
        out.colours = await frame.locator("svg g.node").evaluateAll((nodes) => nodes.map((g) => ({
          caption: [...g.querySelectorAll("text")].map((t) => t.textContent).join("").trim(),
          fill: g.querySelector("circle.b-outline")?.getAttribute("fill") ?? null,
        })));
      }
      if (step.screenshot && !out.error) {
        if (step.fullscreen) await frame.locator("button[title=Fullscreen]").click();
        await page.waitForTimeout(step.settle_ms ?? 4000); // the force layout settles
        if (step.fullscreen && (await frame.locator("[aria-label=zoom-to-fit]").count())) {
          await frame.locator("[aria-label=zoom-to-fit]").click(); // Browser's own buttons: fit the view,
          await page.waitForTimeout(1000);
          await frame.locator("[aria-label=zoom-out]").click(); // then clear of the overview panel
          await page.waitForTimeout(1500);
        }
        await (step.fullscreen ? page : frame).screenshot({ path: step.screenshot });
        if (step.fullscreen) await page.locator("[data-testid=frame] button[title='Close fullscreen']").click();
      }
      out.ok = !out.error;
    } catch (e) {
      const shown = await page.evaluate(() => firstFrame().innerText).catch(() => "");
      out.error = `${phase}: ${String(e).slice(0, 1000)}; the frame shows: ${shown.slice(0, 1000)}`;
    }
  }
} finally {
  writeFileSync(outPath, JSON.stringify(result, null, 2));
  await browser.close();
}

/** A multi-statement frame: wait until every statement has a final status, then list them. */
async function readStatements(page, frame) {
  const list = frame.locator("[data-testid=multi-statement-list-icon]");
  if ((await list.count()) === 0) {
    // a single statement (no parameter block): its own result frame
    const r = await readResult(page, frame, false);
    return { statuses: [r.error ? "error" : "success"], ...r };
  }
  await page.waitForFunction(
    () => [...firstFrame().querySelectorAll("[data-testid=multi-statement-list-icon]")]
      .every((i) => /success|error|ignored/i.test(i.getAttribute("title") ?? "")),
    null, { timeout: TIMEOUT });
  const statuses = (await list.evaluateAll((els) => els.map((e) => e.getAttribute("title") ?? "")))
    .map((t) => t.replace(/^Status:\s*/i, "").toLowerCase());
  let error = null;
  const bad = statuses.findIndex((s) => s !== "success");
  if (bad >= 0) {
    await frame.locator("[data-testid=multi-statement-list-title]").nth(bad).click();
    await page.waitForTimeout(500);
    error = `statement ${bad + 1} ${statuses[bad]}: ${(await frame.innerText()).slice(0, 1500)}`;
  }
  return { statuses, error, status_text: await frame.innerText() };
}

/** One statement's result frame: wait for its status bar or an error, then read counts (and cells). */
async function readResult(page, frame, withTable) {
  const bar = frame.locator("[data-testid=frameStatusbar]");
  await page.waitForFunction(
    () => /completed (after|in)|Displaying \d+ nodes|no changes, no records|Error|ERROR|failed/i.test(firstFrame().innerText),
    null, { timeout: TIMEOUT });
  const text = await frame.innerText();
  const barText = (await bar.count()) ? await bar.first().innerText() : "";
  const out = { status_text: barText || text.slice(0, 500), error: null, records: null, nodes: null, relationships: null };
  const records = /Started streaming (\d+) records?/i.exec(text);
  const drawn = /Displaying (\d+) nodes?, (\d+) relationships?/i.exec(text);
  if (records) out.records = Number(records[1]);
  if (drawn) {
    out.nodes = Number(drawn[1]);
    out.relationships = Number(drawn[2]);
  }
  if (/no changes, no records/i.test(text)) out.records = 0;
  if (!records && !drawn && out.records === null) out.error = text.slice(0, 1500);
  if (withTable && !out.error) {
    out.table = await frame.locator("table tr").evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll("th, td")].map((c) => c.innerText.trim())));
  }
  return out;
}

/** A Browser command's frame (e.g. :style): its text, an error when Browser reports one. */
async function readCommand(page, frame) {
  await page.waitForFunction(() => firstFrame().querySelector("[data-testid=frameContents]")?.innerText.trim(),
    null, { timeout: TIMEOUT });
  const text = await frame.locator("[data-testid=frameContents]").innerText();
  return { status_text: text.slice(0, 1500), error: /error|could not/i.test(text) ? text.slice(0, 1500) : null };
}
