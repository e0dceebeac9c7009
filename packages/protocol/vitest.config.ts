import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** The published test vectors (test-vectors/, with their sources and licences), reachable from tests as "@vectors/...". */
export const vectorsDir = fileURLToPath(new URL("./test-vectors", import.meta.url));

/** Which runtime a test file runs in, for the few tests that check runtime-specific wiring. */
export type TestRuntime = "node" | "browser";

declare module "vitest" {
  export interface ProvidedContext {
    /** Read with `inject("runtime")`: "node" under this config, "browser" under vitest.browser.config.ts. */
    runtime: TestRuntime;
  }
}

/** Node run: every test file, including the Node-only `*.node.test.ts`, but not the slow fuzz (vitest.fuzz.config.ts). */
export default defineConfig({
  resolve: { alias: { "@vectors": vectorsDir } },
  test: {
    // One module graph for every file (no mocks or globals are replaced anywhere here): each file
    // re-importing it cost more than some files' tests (docs/testing.md "Suite time").
    isolate: false,
    include: ["src/**/*.test.ts"],
    // *.browser.test.ts: vitest.browser.config.ts; *.fuzz.test.ts: vitest.fuzz.config.ts
    exclude: ["**/node_modules/**", "**/*.browser.test.ts", "**/*.fuzz.test.ts"],
    testTimeout: 60_000,
    provide: { runtime: "node" },
  },
});
