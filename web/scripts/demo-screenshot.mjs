// Screenshot (1280x800) of a running `summit serve`, e.g. the real demo store:
//   node scripts/demo-screenshot.mjs 'http://127.0.0.1:8798/?class=323' ../docs/screenshot-demo.png
// Waits for the graph to be drawn and its tile images to load, then saves the picture.
import { chromium } from "playwright-core";

const [url, out] = process.argv.slice(2);
if (!url || !out) {
  console.error("usage: node scripts/demo-screenshot.mjs URL OUT.png");
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  await page.waitForSelector("[data-testid=graph] [data-node-id]", { timeout: 30_000 });
  await page.waitForSelector("[data-testid=class-row]", { timeout: 30_000 });
  await page.waitForFunction(() => [...document.images].every((i) => i.complete), null, { timeout: 30_000 }).catch(() => {});
  await page.waitForTimeout(2500); // canvas tile images load outside the DOM
  await page.screenshot({ path: out });
  console.log(`saved ${out}`);
} finally {
  await browser.close();
}
