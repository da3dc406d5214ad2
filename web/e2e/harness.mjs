// Browser-test harness: a small real artifact (summit synth + graphs), loaded
// into a temporary embedded store, served by the real `summit serve`, and a
// headless Chromium driven by playwright-core. No mocks.
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const WEB = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO = resolve(WEB, "..");
export const RESULTS = join(WEB, "test-results");
const SUMMIT = process.env.SUMMIT_BIN ?? join(REPO, ".venv", "bin", "summit");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** The main test artifact: 12 classes, 5 layers of 48 channels, class graphs of ~80 neurons. */
export const ARTIFACT = { classes: 12, layers: 5, channels: 48, graphMass: 0.8, seed: 1, graphMethod: "explorer" };
/** A second model (tests the model switcher) whose class graphs have ~500 neurons (pan/zoom smoothness). */
export const BIG = { classes: 3, layers: 9, channels: 128, graphMass: 0.85, seed: 2, graphMethod: "summit" };

export function run(args, opts = {}) {
  try {
    return execFileSync(SUMMIT, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 240_000, ...opts });
  } catch (e) {
    throw new Error(`summit ${args.join(" ")} failed (exit ${e.status}):\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

/** POST a GraphQL query to the server under test; GraphQL errors throw. */
export function makeGql(base) {
  return async function gql(query, variables = {}) {
    const r = await fetch(`${base}/graphql`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }),
    });
    const body = await r.json();
    if (body.errors) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
    return body.data;
  };
}

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

export async function waitHealthy(base, proc, logs, timeoutMs = 90_000) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (proc.exitCode !== null) throw new Error(`summit serve exited with ${proc.exitCode}:\n${logs.join("")}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`summit serve not healthy after ${timeoutMs} ms:\n${logs.join("")}`);
}

/**
 * Where the stack loads its models: a temporary embedded store (default), or the test Neo4j
 * (`store: "neo4j"`, or E2E_STORE=neo4j) named by TEST_NEO4J_URI/USER/PASSWORD, whose
 * models (and their notes) are dropped again at stop().
 */
function storeArgs(store, path) {
  if (store !== "neo4j") return { args: ["--embedded", path], env: process.env };
  const missing = ["TEST_NEO4J_URI", "TEST_NEO4J_USER", "TEST_NEO4J_PASSWORD"].filter((n) => !process.env[n]);
  if (missing.length) throw new Error(`the Neo4j browser tests need ${missing.join(", ")}: eval "$(scripts/neo4j.sh env)"`);
  return {
    args: ["--neo4j", process.env.TEST_NEO4J_URI, "--user", process.env.TEST_NEO4J_USER, "--password-env", "TEST_NEO4J_PASSWORD"],
    env: process.env,
  };
}

function dropFromNeo4j(ids) {
  const code = `import os, sys
from summit.store.neo4j_store import Neo4jStore
s = Neo4jStore(os.environ["TEST_NEO4J_URI"], os.environ["TEST_NEO4J_USER"], os.environ["TEST_NEO4J_PASSWORD"])
for m in sys.argv[1:]:
    if m in {x.id for x in s.models()}:
        for n in s.notes(m):
            s.delete_note(m, n.kind, n.target)
        s.drop_model(m)
s.close()`;
  execFileSync(join(REPO, ".venv", "bin", "python"), ["-c", code, ...ids], { stdio: "inherit", timeout: 120_000 });
}

/** Build artifact + store, start the server and the browser. Call stop() when done. */
export async function startStack({ store: kind = process.env.E2E_STORE ?? "embedded" } = {}) {
  if (process.env.SUMMIT_E2E_BASE) return attachStack(process.env.SUMMIT_E2E_BASE);
  if (!existsSync(join(WEB, "dist", "index.html"))) throw new Error("web/dist is missing: run `npm run build` first");
  if (!existsSync(SUMMIT)) throw new Error(`${SUMMIT} not found: run scripts/setup.sh first`);
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  mkdirSync(RESULTS, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), "summit-e2e-"));
  const store = storeArgs(kind, join(tmp, "store")), media = join(tmp, "media");
  mkdirSync(media);
  const models = {};
  for (const [name, a] of [["main", ARTIFACT], ["big", BIG]]) {
    const art = join(tmp, name);
    run(["synth", art, "--classes", String(a.classes), "--layers", String(a.layers), "--channels", String(a.channels),
      "--images-per-class", name === "big" ? "8" : "20", "--seed", String(a.seed)]);
    // the main model keeps this project's rules (fixture sizes); the big one uses Summit's
    run(["graphs", art, "--graph-method", a.graphMethod, "--graph-mass", String(a.graphMass)]);
    run(["load", art, ...store.args], { env: store.env });
    const id = JSON.parse(readFileSync(join(art, "manifest.json"), "utf8")).run_id;
    symlinkSync(join(art, "media"), join(media, id)); // served as /media/<model id>/...
    models[name] = id;
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const logs = [];
  const proc = spawn(SUMMIT, ["serve", ...store.args, "--host", "127.0.0.1", "--port", String(port), "--media-root", media], {
    cwd: REPO, stdio: ["ignore", "pipe", "pipe"], env: store.env,
  });
  proc.stdout.on("data", (d) => logs.push(String(d)));
  proc.stderr.on("data", (d) => logs.push(String(d)));
  let browser;
  try {
    await waitHealthy(base, proc, logs);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  } catch (e) {
    proc.kill("SIGTERM");
    if (kind === "neo4j") dropFromNeo4j(Object.values(models));
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const gql = makeGql(base);
  async function stop() {
    await browser?.close().catch(() => {});
    if (proc.exitCode === null) {
      proc.kill("SIGTERM");
      await new Promise((r) => { const t = setTimeout(() => { proc.kill("SIGKILL"); r(); }, 5000); proc.once("exit", () => { clearTimeout(t); r(); }); });
    }
    if (kind === "neo4j") dropFromNeo4j(Object.values(models));
    rmSync(tmp, { recursive: true, force: true });
  }
  return { base, browser, gql, stop, logs, models, store: kind };
}

/** Developer shortcut: run the tests against an already running server (SUMMIT_E2E_MODELS="main,big" ids). */
async function attachStack(base) {
  const [main, big] = (process.env.SUMMIT_E2E_MODELS ?? "").split(",");
  mkdirSync(RESULTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const gql = makeGql(base);
  return { base, browser, gql, stop: () => browser.close(), logs: [], models: { main, big } };
}

/** A fresh page at 1280x800 that fails the test on page errors. */
export async function newPage(stack, errors) {
  const ctx = await stack.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  page.on("pageerror", (e) => errors.push(String(e)));
  return page;
}
