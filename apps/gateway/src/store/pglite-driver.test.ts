import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPgliteDriver } from "./pglite-driver.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cyxwiz-pglite-driver-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("openPgliteDriver with a template cluster (docs/testing.md)", () => {
  it("makes the template once, copies it into each new data directory, and keeps the stores apart", async () => {
    const template = join(dir, "template");
    const a = await openPgliteDriver(join(dir, "a"), { template });
    expect((await stat(join(template, "PG_VERSION"))).isFile()).toBe(true);
    await a.exec("CREATE TABLE t (v int); INSERT INTO t VALUES (1)");
    const b = await openPgliteDriver(join(dir, "b"), { template });
    // b starts from the template (no table), not from a's data.
    await expect(b.query("SELECT v FROM t")).rejects.toThrow(/t/);
    await b.exec("CREATE TABLE t (v int); INSERT INTO t VALUES (2)");
    expect((await a.query<{ v: number }>("SELECT v FROM t")).rows).toEqual([{ v: 1 }]);
    expect((await b.query<{ v: number }>("SELECT v FROM t")).rows).toEqual([{ v: 2 }]);
    await a.close();
    await b.close();
    // Nothing of a staging copy is left beside the template.
    expect((await readdir(dir)).sort()).toEqual(["a", "b", "template"]);
    // A directory that already holds a cluster is opened as it is.
    const again = await openPgliteDriver(join(dir, "a"), { template });
    expect((await again.query<{ v: number }>("SELECT v FROM t")).rows).toEqual([{ v: 1 }]);
    await again.close();
  });
});
