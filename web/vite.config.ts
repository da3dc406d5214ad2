import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The API server (summit serve) serves web/dist at "/" and the API at
// /graphql and /media; in `npm run dev` we proxy those to it.
const api = process.env.SUMMIT_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [svelte()],
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
