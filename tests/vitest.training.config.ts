import { defineConfig } from "vitest/config";
import { gatewayTestEnv } from "../test-support/gateway-test-env.js";

/**
 * The training end-to-end files (docs/compute.md "Measured end to end"): daemons and a browser
 * tab train models against round deadlines, so they run one at a time, on a machine otherwise
 * idle, after the other end-to-end files (vitest.config.ts).
 */
export default defineConfig({
  resolve: { conditions: ["node"] },
  test: {
    include: ["e2e/training*.e2e.test.ts"],
    fileParallelism: false,
    testTimeout: 240_000,
    env: gatewayTestEnv(),
    hookTimeout: 120_000,
  },
});
