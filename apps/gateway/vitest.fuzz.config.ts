import { defineConfig } from "vitest/config";

/**
 * The slow fuzz suite (`*.fuzz.test.ts`; docs/testing.md, "Fuzzing"): run by `npm run test:fuzz`
 * and scripts/test.sh's `fuzz` step, never by `npm test`. It starts its own loopback gateway on
 * embedded PGlite, so it needs no PostgreSQL server. Seed and case count: CYXWIZ_FUZZ_SEED,
 * CYXWIZ_FUZZ_RUNS (test-support/fuzz.ts at the root).
 */
export default defineConfig({
  test: {
    include: ["src/**/*.fuzz.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 60_000,
  },
});
