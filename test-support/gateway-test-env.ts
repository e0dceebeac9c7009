import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The environment of every gateway a test run starts, in its process or as a child process (the
 * Vitest configs put it in `test.env`; processes the tests start inherit it; docs/testing.md):
 * - CYXWIZ_PGLITE_TEMPLATE: each new embedded store copies a PGlite cluster instead of running
 *   initdb (seconds each; apps/gateway/src/store/pglite-driver.ts): one template per installed
 *   PGlite version under the temp directory, made by the first store opened and shared by every
 *   package's run.
 * - CYXWIZ_PASSWORD_COST=10: scrypt at N = 2^10 for the passwords the tests set and sign in with
 *   (the default, 2^17, costs a second of one core per first start and per sign-in; the suite
 *   does hundreds). password-hash.test.ts and config.test.ts check the default.
 */
export function gatewayTestEnv(): { CYXWIZ_PGLITE_TEMPLATE: string; CYXWIZ_PASSWORD_COST: string } {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const { version } = JSON.parse(
    readFileSync(join(root, "node_modules/@electric-sql/pglite/package.json"), "utf8"),
  ) as { version: string };
  return {
    CYXWIZ_PGLITE_TEMPLATE: join(tmpdir(), `cyxwiz-pglite-template-${version}`),
    CYXWIZ_PASSWORD_COST: "10",
  };
}
