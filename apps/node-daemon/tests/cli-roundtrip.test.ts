import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MNIST_FILES, mnistPath } from "../../../test-support/datasets.js";
import { runCli } from "./run-cli.js";

let dir: string;
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cyxwiz-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Packs `input` as opaque bytes (the byte-exact path: a dataset of samples unpacks as Arrow) and back. */
async function roundTrip(input: string, packArgs: string[], keyArgs: string[] = []) {
  const out = join(dir, `pack-${Math.random().toString(36).slice(2)}`);
  const pack = await runCli(["pack", input, "--out", out, "--json", "--format", "opaque", ...packArgs, ...keyArgs]);
  expect(pack.code, pack.stderr).toBe(0);
  const packed = JSON.parse(pack.stdout);
  const verify = await runCli(["verify", out, "--json", ...keyArgs]);
  expect(verify.code, verify.stderr).toBe(0);
  expect(JSON.parse(verify.stdout).merkleRoot).toBe(packed.merkleRoot);
  const restored = join(dir, `restored-${Math.random().toString(36).slice(2)}`);
  const unpack = await runCli(["unpack", out, "--out", restored, ...keyArgs]);
  expect(unpack.code, unpack.stderr).toBe(0);
  expect(sha(await readFile(restored))).toBe(sha(await readFile(input)));
  return { out, packed, restored };
}

describe("cyxwiz pack | verify | unpack", () => {
  it("round-trips the MNIST files, plain and encrypted, with zstd", async () => {
    for (const file of ["images", "labels"] as const) {
      const gz = mnistPath(file);
      const name = MNIST_FILES[file];
      const raw = join(dir, name.replace(/\.gz$/, ""));
      await writeFile(raw, gunzipSync(await readFile(gz)));
      await roundTrip(gz, ["--chunk-size", "256KiB"]);
      const key = join(dir, `${name}.key`);
      const { packed } = await roundTrip(
        raw,
        ["--chunk-size", "1MiB", "--compress", "zstd", "--encrypt"],
        ["--key-file", key],
      );
      expect(packed.encrypted).toBe(true);
      if (name.startsWith("t10k-images")) {
        expect(packed.codec).toBe("zstd");
        expect(packed.storedSize).toBeLessThan(packed.totalSize / 3);
      }
      expect((await stat(key)).mode & 0o777).toBe(0o600);
    }
  });

  it("round-trips a 100 MB file with 4 MiB chunks, encrypted", async () => {
    const big = join(dir, "big.bin");
    const part = randomBytes(10 * 1000 * 1000);
    await writeFile(big, Buffer.concat(Array.from({ length: 10 }, () => part)));
    const { packed } = await roundTrip(big, ["--encrypt"], ["--key-file", join(dir, "big.key")]);
    expect(packed.numChunks).toBe(Math.ceil(100_000_000 / (4 * 1024 * 1024)));
    expect(packed.totalSize).toBe(100_000_000);
  });

  it("round-trips an empty file and every codec, and skips compression for random data", async () => {
    const empty = join(dir, "empty.bin");
    await writeFile(empty, new Uint8Array(0));
    const e = await roundTrip(empty, []);
    expect(e.packed.numChunks).toBe(1);
    const text = join(dir, "table.csv");
    await writeFile(
      text,
      Array.from({ length: 20000 }, (_, i) => `${i},sample-${i % 97},${(i * 0.37).toFixed(3)}\n`).join(""),
    );
    for (const codec of ["lz4", "snappy", "zstd"]) {
      const r = await roundTrip(text, ["--chunk-size", "64KiB", "--compress", codec]);
      expect(r.packed.codec).toBe(codec);
      expect(r.packed.storedSize).toBeLessThan(r.packed.totalSize);
    }
    const noise = join(dir, "noise.bin");
    await writeFile(noise, randomBytes(300_000));
    const n = await roundTrip(noise, ["--chunk-size", "64KiB", "--compress", "zstd"]);
    expect(n.packed.codec).toBe("none");
  });

  it("prints the Merkle root in text mode and gives help for every command", async () => {
    const file = join(dir, "small.txt");
    await writeFile(file, "hello cyxwiz\n");
    const pack = await runCli(["pack", file, "--out", join(dir, "small")]);
    expect(pack.code).toBe(0);
    expect(pack.stdout).toMatch(/merkle root [0-9a-f]{64}/);
    for (const cmd of ["pack", "verify", "unpack"]) {
      const help = await runCli([cmd, "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: cyxwiz ${cmd}`);
    }
  });
});
