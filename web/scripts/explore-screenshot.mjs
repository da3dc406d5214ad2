// The README's picture of a grouped, pruned graph, taken from a running `summit serve` (e.g. the
// real demo store) the way a user makes it: open a class, accept every suggested group in its
// graph, prune to 85 % of the influence, pin a neuron.
//   node scripts/explore-screenshot.mjs http://127.0.0.1:8798 n07753592 ../docs/screenshot-explore.png
import { chromium } from "playwright-core";

const [base, cls, out] = process.argv.slice(2);
if (!base || !cls || !out) {
  console.error("usage: node scripts/explore-screenshot.mjs BASE_URL CLASS OUT.png");
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on("pageerror", (e) => { throw e; });
  await page.goto(`${base}/?class=${encodeURIComponent(cls)}`);
  await page.waitForSelector("[data-testid=graph] [data-node-id]", { timeout: 30_000 });
  await page.waitForFunction(() => Number(document.querySelector("[data-testid=groups-panel]")?.dataset.suggestions) > 0, null, { timeout: 30_000 });
  const suggested = Number(await page.$eval("[data-testid=groups-panel]", (e) => e.dataset.suggestions));
  for (let i = 0; i < suggested; i++) await page.click("[data-testid=suggestion-accept] >> nth=0");
  await page.$eval("[data-testid=prune-slider]", (el) => { el.value = "85"; el.dispatchEvent(new Event("input", { bubbles: true })); });
  const ids = await page.$$eval("[data-testid=graph] [data-node-id]", (els) => {
    const box = document.querySelector("[data-testid=graph]").getBoundingClientRect();
    return els.filter((e) => { const r = e.getBoundingClientRect(); return r.top > box.top && r.bottom < box.bottom && !e.dataset.nodeId.startsWith("group:"); })
      .map((e) => e.dataset.nodeId);
  });
  await page.click(`[data-node-id="${ids[Math.floor(ids.length / 2)]}"]`, { modifiers: ["Shift"] });
  await page.mouse.move(5, 5);
  await page.evaluate(() => document.activeElement?.blur());
  await page.waitForTimeout(3000); // tile images load outside the DOM
  await page.screenshot({ path: out });
  console.log(`saved ${out} (${suggested} groups accepted): ${page.url()}`);
} finally {
  await browser.close();
}
