import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["node"] },
  test: {
    include: ["src/**/*.test.ts", "tests/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
