import { fileURLToPath } from "node:url";
import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../../test-support/chromium.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Browser run: the tests that are not `*.node.test.ts`, in Debian's headless Chromium, so every
 * reader, the scan and the sharding run the same code in both runtimes.
 */
export default defineConfig({
  server: { fs: { allow: [repoRoot] } },
  // Pre-bundle every dependency the tests import, so a fresh clone's first run does not stop to
  // re-optimise and reload the page mid-run.
  optimizeDeps: {
    include: [
      "apache-arrow",
      "papaparse",
      "hyparquet",
      "fflate",
      "fast-png",
      "jpeg-js",
      "fast-check",
      "@noble/hashes/hmac.js",
      "@noble/hashes/sha2.js",
      "@noble/hashes/utils.js",
      "@noble/ciphers/chacha.js",
    ],
  },
  test: {
    // One module graph for every file (no mocks or globals are replaced anywhere here): each file
    // re-importing it cost more than some files' tests (docs/testing.md "Suite time").
    isolate: false,
    include: ["src/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/*.node.test.ts", "**/*.fuzz.test.ts"],
    testTimeout: 60_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] },
      }),
      instances: [{ browser: "chromium" }],
    },
  },
});
