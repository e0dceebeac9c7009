import { fileURLToPath } from "node:url";
import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";
import { CHROMIUM_PATH, CHROMIUM_WEBGPU_ARGS } from "../../test-support/chromium.js";
import { vectorsDir } from "./vitest.config.js";

/** The monorepo root: vite must still serve the package's own files and the hoisted node_modules. */
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Browser run: the same test files minus the Node-only `*.node.test.ts` (and the slow fuzz,
 * `*.fuzz.test.ts`), in headless Chromium.
 * The browser is Debian's `/usr/bin/chromium` (MACHINE-NOTES: `playwright install` cannot download
 * here); `--enable-unsafe-webgpu` exposes the SwiftShader WebGPU adapter, and `--no-sandbox` is
 * needed as root. Vite resolves with browser conditions, so `@cyxwiz/protocol/primitives` maps to
 * its `default` (web) entry here, and to its `node` entry under vitest.config.ts.
 */
export default defineConfig({
  resolve: { alias: { "@vectors": vectorsDir } },
  server: { fs: { allow: [repoRoot] } },
  // Pre-bundle every dependency the tests import, so a fresh clone's first run does not stop to
  // re-optimise and reload the page mid-run ("Failed to fetch dynamically imported module").
  optimizeDeps: {
    include: [
      "@noble/ciphers/aes.js",
      "@noble/ciphers/utils.js",
      "@noble/curves/ed25519.js",
      "@noble/hashes/hkdf.js",
      "@noble/hashes/sha2.js",
      "@noble/hashes/utils.js",
      "@bufbuild/protobuf",
      "@bufbuild/protobuf/wkt",
      "@bufbuild/protobuf/codegenv2",
      "hash-wasm",
      "fast-check",
    ],
  },
  test: {
    // One module graph for every file (no mocks or globals are replaced anywhere here): each file
    // re-importing it cost more than some files' tests (docs/testing.md "Suite time").
    isolate: false,
    include: ["src/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/*.node.test.ts", "**/*.fuzz.test.ts"], // the slow fuzz runs in Node only
    testTimeout: 60_000,
    provide: { runtime: "browser" },
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
          executablePath: CHROMIUM_PATH,
          args: [...CHROMIUM_WEBGPU_ARGS],
        },
      }),
      instances: [{ browser: "chromium" }],
    },
  },
});
