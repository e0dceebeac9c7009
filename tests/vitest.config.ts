import { defineConfig } from "vitest/config";
import { gatewayTestEnv } from "../test-support/gateway-test-env.js";

/**
 * End-to-end tests drive real processes (gateway, Chromium, the CLI); each file starts its own
 * gateway and browser. These run two files at a time (much of their time is waiting on those
 * processes); the training files, which train across processes against round deadlines, run
 * after them one at a time (vitest.training.config.ts).
 */
export default defineConfig({
  resolve: { conditions: ["node"] },
  test: {
    include: ["e2e/**/*.e2e.test.ts"],
    exclude: ["e2e/training*.e2e.test.ts", "**/node_modules/**"],
    maxWorkers: 2,
    testTimeout: 240_000,
    env: gatewayTestEnv(),
    hookTimeout: 120_000,
  },
});
