import { fileURLToPath } from "node:url";
import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";
import { CHROMIUM_PATH, CHROMIUM_WEBGPU_ARGS } from "../../test-support/chromium.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Browser run: the tests that are not `*.node.test.ts`, in Debian's headless Chromium, so every
 * model, backend choice and aggregation run the same code in both runtimes.
 */
export default defineConfig({
  server: { fs: { allow: [repoRoot] } },
  // Pre-bundle every dependency the tests import, so a fresh clone's first run does not stop to
  // re-optimise and reload the page mid-run.
  optimizeDeps: {
    include: [
      "apache-arrow",
      "@tensorflow/tfjs-core",
      "@tensorflow/tfjs-layers",
      "@tensorflow/tfjs-backend-cpu",
      "@tensorflow/tfjs-backend-wasm",
      "@tensorflow/tfjs-backend-webgpu",
    ],
  },
  test: {
    include: ["src/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/*.node.test.ts", "**/*.fuzz.test.ts"],
    testTimeout: 60_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_WEBGPU_ARGS] },
      }),
      instances: [{ browser: "chromium" }],
    },
  },
});
