import { defineConfig } from "vitest/config";
import { pgliteTemplateEnv } from "../../test-support/pglite-template.js";

export default defineConfig({
  resolve: { conditions: ["node"] },
  test: {
    include: ["src/**/*.test.ts", "tests/**/*.test.ts"],
    testTimeout: 180_000,
    env: pgliteTemplateEnv(),
    hookTimeout: 180_000,
  },
});
