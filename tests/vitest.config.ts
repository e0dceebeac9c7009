import { defineConfig } from "vitest/config";
import { pgliteTemplateEnv } from "../test-support/pglite-template.js";

/**
 * End-to-end tests drive real processes (gateway, Chromium, the CLI); files run one at a time
 * (the machine has 2 cores and each file starts its own gateway and browser).
 */
export default defineConfig({
  resolve: { conditions: ["node"] },
  test: {
    include: ["e2e/**/*.e2e.test.ts"],
    fileParallelism: false,
    testTimeout: 240_000,
    env: pgliteTemplateEnv(),
    hookTimeout: 120_000,
  },
});
