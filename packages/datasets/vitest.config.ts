import { defineConfig } from "vitest/config";

/** Node run: every test. Tests named `*.node.test.ts` use Node APIs (files on disk); the others also run in Chromium (vitest.browser.config.ts). */
export default defineConfig({
  resolve: { conditions: ["node"] },
  test: {
    // One module graph for every file (no mocks or globals are replaced anywhere here): each file
    // re-importing it cost more than some files' tests (docs/testing.md "Suite time").
    isolate: false,
    include: ["src/**/*.test.ts"],
    testTimeout: 60_000,
  },
});
