import { defineConfig } from "vitest/config";
import { gatewayTestEnv } from "../../test-support/gateway-test-env.js";

/**
 * The gateway's tests run in Node. The global setup starts one throwaway PostgreSQL server for
 * the run, so the metadata store is tested against a real server as well as embedded PGlite.
 */
export default defineConfig({
  test: {
    // One module graph for every file (no mocks or globals are replaced anywhere here): each file
    // re-importing it cost more than some files' tests (docs/testing.md "Suite time").
    isolate: false,
    include: ["src/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/*.fuzz.test.ts"], // the slow fuzz: vitest.fuzz.config.ts
    globalSetup: ["./test-support/postgres-global-setup.ts"],
    // Many tests start whole gateways (embedded PGlite takes seconds to open, tens of seconds on a
    // loaded 2-core machine): generous limits, so a busy CI machine is not a failure.
    testTimeout: 90_000,
    env: gatewayTestEnv(),
    hookTimeout: 120_000,
  },
});
