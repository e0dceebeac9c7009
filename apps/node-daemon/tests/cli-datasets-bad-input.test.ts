import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mnistPath } from "../../../test-support/datasets.js";
import { runCli } from "./run-cli.js";

let dir: string;
let csv: string;
let csvPack: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cyxwiz-datasets-bad-"));
  csv = join(dir, "small.csv");
  await writeFile(csv, "x,label\n1,a\n2,b\n3,a\n");
  csvPack = join(dir, "small-pack");
  const r = await runCli(["pack", csv, "--out", csvPack]);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI expecting exit 2 with a one-line `cyxwiz: ...` message containing every fragment. */
async function refused(args: string[], ...fragments: string[]): Promise<string> {
  const r = await runCli(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  for (const f of fragments) expect(r.stderr).toContain(f);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  return r.stderr;
}

describe("dataset commands refuse bad input with exit 2, a clear message, and no pack dir left", () => {
  it("a 0-byte file: pack, scan and an IDX pair with an empty labels file", async () => {
    const empty = join(dir, "empty.csv");
    await writeFile(empty, "");
    const out = join(dir, "out-empty");
    await refused(["pack", empty, "--out", out], "CYXW_ERR_DS_EMPTY", "empty.csv", "0 bytes", "--format opaque");
    expect(existsSync(out)).toBe(false);
    await refused(["pack", empty, "--format", "csv", "--out", out], "CYXW_ERR_DS_EMPTY", "empty.csv");
    expect(existsSync(out)).toBe(false);
    await refused(["scan", empty], "CYXW_ERR_DS_EMPTY", "empty.csv");
    const emptyLabels = join(dir, "labels-idx1-ubyte");
    await writeFile(emptyLabels, "");
    await refused(["pack", mnistPath("images"), emptyLabels, "--out", out], "CYXW_ERR_DS_EMPTY", "labels-idx1-ubyte");
    expect(existsSync(out)).toBe(false);
  });

  it("a malformed CSV row names its line, and leaves an existing pack dir as it was", async () => {
    const bad = join(dir, "bad.csv");
    await writeFile(bad, "x,label\n1,a\n2,b\n3\n4,a\n");
    const out = join(dir, "out-bad");
    await refused(["pack", bad, "--out", out], "CYXW_ERR_DS_MALFORMED_ROW", "bad.csv line 4");
    expect(existsSync(out)).toBe(false);
    await refused(["scan", bad, "--json"], "CYXW_ERR_DS_MALFORMED_ROW", "bad.csv line 4");
    await refused(["preview", bad], "CYXW_ERR_DS_MALFORMED_ROW", "bad.csv line 4");
    const before = await readFile(join(csvPack, "manifest.json"), "utf8");
    await refused(["pack", bad, "--out", csvPack], "bad.csv line 4");
    expect(await readFile(join(csvPack, "manifest.json"), "utf8")).toBe(before);
    expect(existsSync(join(csvPack, "frames.cyxw.partial"))).toBe(false);
  });

  it("more shards than samples gives the sharding error", async () => {
    await refused(
      ["shard", csvPack, "--strategy", "sample", "--shards", "4", "--json"],
      "CYXW_ERR_SHARD_COUNT",
      "only 3 samples",
    );
    const out = join(dir, "out-order");
    await refused(["pack", csv, "--out", out, "--order", "sample", "--shards", "9"], "CYXW_ERR_SHARD_COUNT");
    expect(existsSync(out)).toBe(false);
  });

  it("an opaque pack given to shard or preview", async () => {
    const blob = join(dir, "blob.bin");
    await writeFile(blob, Buffer.from([0, 159, 146, 150, 0, 1, 2, 3]));
    const opaque = join(dir, "opaque-pack");
    const r = await runCli(["pack", blob, "--out", opaque, "--format", "opaque"]);
    expect(r.code, r.stderr).toBe(0);
    await refused(["shard", opaque, "--strategy", "sample", "--shards", "2"], "is an opaque pack", "format_version 1");
    await refused(["preview", opaque], "is an opaque pack");
  });

  it("an unknown --format, --strategy or label column, and options that do not fit", async () => {
    await refused(["pack", csv, "--out", join(dir, "x1"), "--format", "xlsx"], "'xlsx' is invalid", "csv");
    await refused(["scan", csv, "--format", "xlsx"], "'xlsx' is invalid");
    await refused(["shard", csvPack, "--strategy", "random", "--shards", "2"], "'random' is invalid");
    await refused(["pack", csv, "--out", join(dir, "x2"), "--label-column", "nope"], 'no column "nope"');
    await refused(["pack", csv, "--out", join(dir, "x3"), "--order", "hash"], "--order needs --shards");
    await refused(["pack", csv, "--out", join(dir, "x4"), "--split", "900/200/0"], "adding up to 1000");
    await refused(["scan", csv, "--pattern", "Bad Name=x"], "custom pattern 0");
    await refused(["pack", csv, join(dir, "missing.csv"), "--out", join(dir, "x5")], "missing.csv", "ENOENT");
    for (const d of ["x1", "x2", "x3", "x4", "x5"]) expect(existsSync(join(dir, d))).toBe(false);
  });

  it("an encrypted pack without its key", async () => {
    const out = join(dir, "enc-pack");
    const r = await runCli(["pack", csv, "--out", out, "--encrypt", "--key-file", join(dir, "k.key")]);
    expect(r.code, r.stderr).toBe(0);
    await refused(["shard", out, "--strategy", "sample", "--shards", "2"], "encrypted", "--key-file");
    await refused(["preview", out], "encrypted", "--key-file");
  });
});
