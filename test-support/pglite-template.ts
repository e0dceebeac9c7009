import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The environment that lets every gateway a test run opens copy a PGlite cluster instead of
 * running initdb (seconds each; apps/gateway/src/store/pglite-driver.ts, docs/testing.md): one
 * template per installed PGlite version under the temp directory, made by the first store opened
 * and shared by every package's run. Vitest configs put it in `test.env`; processes the tests start
 * inherit it.
 */
export function pgliteTemplateEnv(): { CYXWIZ_PGLITE_TEMPLATE: string } {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const { version } = JSON.parse(
    readFileSync(join(root, "node_modules/@electric-sql/pglite/package.json"), "utf8"),
  ) as { version: string };
  return { CYXWIZ_PGLITE_TEMPLATE: join(tmpdir(), `cyxwiz-pglite-template-${version}`) };
}
