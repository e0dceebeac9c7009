import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** The shared test data beside the project (../shared), reachable from tests as "@shared/...". */
export const sharedDir = fileURLToPath(new URL("../../../shared", import.meta.url));

export default defineConfig({
  resolve: { alias: { "@shared": sharedDir } },
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 60_000,
  },
});
