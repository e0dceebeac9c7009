import { defineConfig } from "vitest/config";
import { vectorsDir } from "./vitest.config.js";

/**
 * The slow fuzz suite (`*.fuzz.test.ts`; docs/testing.md, "Fuzzing"): Node only, run by
 * `npm run test:fuzz` and scripts/test.sh's `fuzz` step, never by `npm test` or in Chromium.
 * Seed and case count: CYXWIZ_FUZZ_SEED, CYXWIZ_FUZZ_RUNS (test-support/fuzz.ts at the root).
 */
export default defineConfig({
  resolve: { alias: { "@vectors": vectorsDir } },
  test: {
    include: ["src/**/*.fuzz.test.ts"],
    testTimeout: 600_000,
    provide: { runtime: "node" },
  },
});
