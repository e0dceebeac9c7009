import { fileURLToPath } from "node:url";
import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../../test-support/chromium.js";

/** The monorepo root: vite must still serve the workspace packages and the hoisted node_modules. */
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Browser run: the tests that need a real browser API (IndexedDB, canvas, layout), `*.browser.test.ts`
 * and the component tests `*.browser.test.tsx` (rendered with react-dom into the page), in
 * Debian's headless Chromium (MACHINE-NOTES: `playwright install` cannot download here).
 */
export default defineConfig({
  server: { fs: { allow: [repoRoot] } },
  // Pre-bundled up front: a dependency found mid-run is re-bundled, and a second copy of React breaks hooks.
  optimizeDeps: {
    include: [
      "@bufbuild/protobuf",
      "@bufbuild/protobuf/codegenv2",
      "@bufbuild/protobuf/wkt",
      "@noble/ciphers/aes.js",
      "hash-wasm",
      "react",
      "react/jsx-dev-runtime",
      "react-dom/client",
      "recharts",
    ],
  },
  test: {
    include: ["src/**/*.browser.test.ts", "src/**/*.browser.test.tsx"],
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
