import { fileURLToPath } from "node:url";
import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../../test-support/chromium.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Browser run: the tests that are not `*.node.test.ts`, in headless Chromium, through the
 * browser entry point (connect-web, the global WebSocket). The fake gateway runs in Node (global
 * setup) and allows CORS. Chromium is Debian's /usr/bin/chromium, as in packages/protocol.
 */
export default defineConfig({
  server: { fs: { allow: [repoRoot] } },
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
      "@bufbuild/protobuf/wire",
      "@bufbuild/protobuf/codegenv2",
      "@connectrpc/connect",
      "@connectrpc/connect-web",
      "hash-wasm",
    ],
  },
  test: {
    include: ["src/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/*.node.test.ts"],
    globalSetup: ["./test-support/fake-gateway-global-setup.ts"],
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
