import { defineConfig } from "vitest/config";

/** Node run: every test. Tests named `*.node.test.ts` use Node APIs (files on disk); the others also run in Chromium (vitest.browser.config.ts). */
export default defineConfig({
  resolve: { conditions: ["node"] },
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 60_000,
  },
});
