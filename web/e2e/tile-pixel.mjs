// Used by tests/server/test_featurevis_tile.py (not a node:test file): open the app on one class
// graph of a running `summit serve`, wait until the tile of one neuron is drawn with its picture,
// and print (JSON) the colour of the pixel at the tile's centre and the media URLs the page fetched.
// Tile pictures arrive after the graph's first frame, so it looks again for up to 15 s until the
// pixel has the colour R,G,B (within 8 per channel); the caller judges the printed colour.
//   node e2e/tile-pixel.mjs BASE MODEL CLASS_KEY NEURON_ID R,G,B
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS } from "./harness.mjs";

const [base, model, classKey, neuronId, rgb] = process.argv.slice(2);
const want = rgb.split(",").map(Number);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", args: CHROMIUM_ARGS, headless: true });
const media = [];
const errors = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("response", (r) => { if (new URL(r.url()).pathname.startsWith("/media/")) media.push({ url: new URL(r.url()).pathname, status: r.status() }); });
  await page.goto(`${base}/?${new URLSearchParams({ model, class: classKey })}`);
  await page.waitForFunction(() => document.querySelector("[data-testid=graph-area]")?.dataset.status === "ready", null, { timeout: 30_000 });
  const pixelAt = () => page.$eval("[data-testid=graph]", (wrap, id) => {
    const point = wrap.summitNodePoint(id);
    const canvas = wrap.querySelector("canvas");
    if (!point || !canvas) return null;
    const r = canvas.getBoundingClientRect();
    const sx = canvas.width / r.width, sy = canvas.height / r.height;
    const px = canvas.getContext("2d").getImageData(Math.round((point[0] - r.left) * sx), Math.round((point[1] - r.top) * sy), 1, 1).data;
    return [px[0], px[1], px[2], px[3]];
  }, neuronId);
  let pixel = null;
  for (let i = 0; i < 60; i++) {
    pixel = await pixelAt();
    if (pixel && want.every((v, c) => Math.abs(v - pixel[c]) <= 8)) break;
    await page.waitForTimeout(250);
  }
  console.log(JSON.stringify({ pixel, media, errors }));
} finally {
  await browser.close();
}
