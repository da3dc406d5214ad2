import { defineConfig, type Plugin } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { ALL_QUERIES } from "./src/lib/api/queries";

/**
 * dist/queries.json: every GraphQL document this build sends, by name. `summit serve` reads it to
 * pre-render the class views' answers of exactly the web app it serves (server/prerender.py).
 */
function queriesFile(): Plugin {
  return {
    name: "summit-queries-file",
    apply: "build",
    generateBundle() {
      this.emitFile({ type: "asset", fileName: "queries.json", source: JSON.stringify(ALL_QUERIES, null, 1) + "\n" });
    },
  };
}

// The API server (summit serve) serves web/dist at "/" and the API at
// /graphql and /media; in `npm run dev` we proxy those to it.
const api = process.env.SUMMIT_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [svelte(), queriesFile()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
  server: { proxy: { "/graphql": api, "/media": api, "/healthz": api } },
  // Unit tests run in Node. The rune-based stores' tests (*.svelte.test.ts) are compiled for the
  // browser and get Svelte's client runtime ("browser" condition), so their effects run under test.
  resolve: process.env.VITEST ? { conditions: ["browser"] } : undefined,
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
    testTransformMode: { web: ["**/*.svelte.test.ts"] },
  },
});
