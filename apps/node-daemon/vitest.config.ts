import { defineConfig } from "vitest/config";
import { gatewayTestEnv } from "../../test-support/gateway-test-env.js";

export default defineConfig({
  resolve: { conditions: ["node"] },
  test: {
    include: ["src/**/*.test.ts", "tests/**/*.test.ts"],
    testTimeout: 180_000,
    env: gatewayTestEnv(),
    hookTimeout: 180_000,
  },
});
