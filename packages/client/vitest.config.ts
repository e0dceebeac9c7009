import { defineConfig } from "vitest/config";

/**
 * Node run: every test. Tests named `*.node.test.ts` start their own fake gateway
 * (test-support/fake-gateway.ts) with faults switched on; the others import nothing from Node and
 * also run in Chromium (vitest.browser.config.ts), against the one fake the global setup starts.
 */
export default defineConfig({
  resolve: { conditions: ["node"] },
  test: {
    include: ["src/**/*.test.ts"],
    globalSetup: ["./test-support/fake-gateway-global-setup.ts"],
    testTimeout: 30_000,
  },
});
