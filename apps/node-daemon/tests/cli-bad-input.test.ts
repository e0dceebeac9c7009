import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

let dir: string;
let pack: string;
let keyFile: string;
let frames: Buffer;
const CHUNK = 64 * 1024;
const FRAME = CHUNK + 16 + 60; // encrypted chunk + tag + frame overhead

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cyxwiz-bad-"));
  const input = join(dir, "input.bin");
  await writeFile(input, randomBytes(CHUNK * 5 + 1000));
  pack = join(dir, "pack");
  keyFile = join(dir, "k.key");
  const r = await runCli(["pack", input, "--out", pack, "--chunk-size", "64KiB", "--encrypt", "--key-file", keyFile]);
  expect(r.code, r.stderr).toBe(0);
  frames = await readFile(join(pack, "frames.cyxw"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A copy of the pack with its frames file replaced. */
/** The manifest as JSON, loosely typed: tests edit it to make it lie. */
type ManifestJson = {
  metadata: { totalSize: string; numChunks: number };
  plainSizes: number[];
  chunkDigests: string[];
};

async function tamperedPack(newFrames: Uint8Array, manifest?: (m: ManifestJson) => void): Promise<string> {
  const d = await mkdtemp(join(dir, "t-"));
  await writeFile(join(d, "frames.cyxw"), newFrames);
  const m = JSON.parse(await readFile(join(pack, "manifest.json"), "utf8"));
  manifest?.(m);
  await writeFile(join(d, "manifest.json"), JSON.stringify(m));
  return d;
}

describe("cyxwiz verify and unpack refuse bad packs with exit 1, naming the first bad frame", () => {
  it("a flipped bit in a payload, an FCS or a checksum", async () => {
    for (const [at, frame, code] of [
      [2 * FRAME + 500, 2, "CYXW_ERR_FCS"],
      [3 * FRAME + FRAME - 40, 3, "CYXW_ERR_FCS"],
      [FRAME - 1, 0, "CYXW_ERR_CHECKSUM"],
    ] as const) {
      const bad = Buffer.from(frames);
      bad[at]! ^= 0x10;
      const d = await tamperedPack(bad);
      const v = await runCli(["verify", d, "--key-file", keyFile]);
      expect(v.code, v.stderr).toBe(1);
      expect(v.stderr).toContain(`frame ${frame} `);
      expect(v.stderr).toContain(code);
    }
  });

  it("swapped, duplicated and missing frames", async () => {
    const f = (i: number) => frames.subarray(i * FRAME, (i + 1) * FRAME);
    const swapped = Buffer.concat([f(0), f(2), f(1), frames.subarray(3 * FRAME)]);
    const dup = Buffer.concat([f(0), f(0), frames.subarray(FRAME)]);
    const missingLast = frames.subarray(0, 5 * FRAME);
    for (const [bytes, expected] of [
      [swapped, /frame 1 .*sequence 2; expected 1/],
      [dup, /frame 1 .*sequence 0; expected 1/],
      [missingLast, /ends after 5 frames; the manifest declares 6 chunks/],
      [frames.subarray(0, frames.length - 7), /CYXW_ERR_TRUNCATED/],
    ] as const) {
      const v = await runCli(["verify", await tamperedPack(bytes)]);
      expect(v.code, v.stderr).toBe(1);
      expect(v.stderr).toMatch(expected);
    }
  });

  it("a manifest that lies about sizes or its root", async () => {
    for (const lie of [
      (m: ManifestJson) => (m.metadata.totalSize = String(Number(m.metadata.totalSize) + 1)),
      (m: ManifestJson) => (m.plainSizes[1] = m.plainSizes[1]! - 1),
      (m: ManifestJson) => (m.metadata.numChunks = m.metadata.numChunks + 1),
      (m: ManifestJson) => (m.chunkDigests = [m.chunkDigests[1]!, m.chunkDigests[0]!, ...m.chunkDigests.slice(2)]),
    ]) {
      const v = await runCli(["verify", await tamperedPack(frames, lie)]);
      expect(v.code, v.stderr).toBe(1);
      expect(v.stderr).toContain("CYXW_ERR_MANIFEST");
    }
  });

  it("unpack of a bad pack writes no output file", async () => {
    const bad = Buffer.from(frames);
    bad[4 * FRAME + 100]! ^= 1;
    const out = join(dir, "should-not-exist.bin");
    const u = await runCli(["unpack", await tamperedPack(bad), "--out", out, "--key-file", keyFile]);
    expect(u.code).toBe(1);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.cyxwiz-partial`)).toBe(false);
  });
});

describe("cyxwiz bad usage and input exit 2 with a clear message", () => {
  it("a wrong key", async () => {
    const wrong = join(dir, "wrong.key");
    await writeFile(wrong, `${randomBytes(32).toString("hex")}\n`);
    const v = await runCli(["verify", pack, "--key-file", wrong]);
    expect(v.code).toBe(2);
    expect(v.stderr).toContain("CYXW_ERR_WRONG_KEY");
  });

  it("a malformed key file, a missing pack, a missing input, an unknown option, a bad chunk size", async () => {
    const malformed = join(dir, "malformed.key");
    await writeFile(malformed, "not a key");
    const cases: Array<[string[], RegExp]> = [
      [["verify", pack, "--key-file", malformed], /64 hex characters/],
      [["verify", join(dir, "nope")], /cannot read .*manifest\.json: ENOENT/],
      [["pack", join(dir, "nope.bin"), "--out", join(dir, "o")], /cannot read .*nope\.bin: ENOENT/],
      [["pack", join(dir, "input.bin"), "--out", join(dir, "o"), "--frobnicate"], /unknown option/],
      [["pack", join(dir, "input.bin"), "--out", join(dir, "o"), "--chunk-size", "lots"], /--chunk-size/],
      [
        ["pack", join(dir, "input.bin"), "--out", join(dir, "o"), "--compress", "gzip"],
        /Allowed choices are zstd, lz4, snappy, none/,
      ],
      [["pack", join(dir, "input.bin"), "--out", join(dir, "o"), "--encrypt"], /--encrypt needs --key-file/],
      [["unpack", pack, "--out", join(dir, "x.bin")], /encrypted: pass --key-file/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
