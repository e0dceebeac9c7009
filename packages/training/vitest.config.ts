import { defineConfig } from "vitest/config";

/**
 * Node run: every test but `*.browser.test.ts` (WebGPU). Tests named `*.node.test.ts` use Node APIs
 * (files on disk); the others also run in Chromium (vitest.browser.config.ts).
 */
export default defineConfig({
  resolve: { conditions: ["node"] },
  test: {
    include: ["src/**/*.test.ts"],
    // *.browser.test.ts need a browser API (WebGPU): vitest.browser.config.ts runs them.
    exclude: ["**/node_modules/**", "**/*.browser.test.ts"],
    testTimeout: 60_000,
  },
});
