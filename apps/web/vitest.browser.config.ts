import { fileURLToPath } from "node:url";
import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../../test-support/chromium.js";

/** The monorepo root: vite must still serve the workspace packages and the hoisted node_modules. */
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Browser run: the tests that need a real browser API (IndexedDB), `*.browser.test.ts`, in
 * Debian's headless Chromium (MACHINE-NOTES: `playwright install` cannot download here).
 */
export default defineConfig({
  server: { fs: { allow: [repoRoot] } },
  optimizeDeps: { include: ["@bufbuild/protobuf", "@bufbuild/protobuf/codegenv2", "@bufbuild/protobuf/wkt"] },
  test: {
    include: ["src/**/*.browser.test.ts"],
    testTimeout: 30_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
          executablePath: CHROMIUM_PATH,
          args: [...CHROMIUM_ARGS],
        },
      }),
      instances: [{ browser: "chromium" }],
    },
  },
});
