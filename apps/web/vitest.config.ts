import { defineConfig } from "vitest/config";

/**
 * Node run: the dashboard's pure modules (formatting, choices, error messages, file identity), the
 * download worker's runner against the client's fake gateway, and the checks on the built export. Tests that need a browser (IndexedDB) are `*.browser.test.ts`
 * and run under vitest.browser.config.ts.
 */
export default defineConfig({
  // `@cyxwiz/client/testing` (the fake gateway for *.node.test.ts) is exported for Node only.
  resolve: { conditions: ["node"] },
  test: {
    include: ["src/**/*.test.ts"],
    exclude: ["**/node_modules/**", "src/**/*.browser.test.ts"],
    testTimeout: 30_000,
  },
});
