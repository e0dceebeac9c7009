/**
 * Encrypted packs of both chunk suites (docs/crypto.md "Per-chunk keys"): `cyxwiz pack --encrypt`
 * writes AES-256-GCM-CHUNKKEY-v1, and a pack written with AES-256-GCM-STREAM-v1 (every encrypted
 * pack before CHUNKKEY became the default) still verifies and unpacks, the suite chosen by the
 * manifest.
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bytesByteSource, chunkToFrameParts, createChunker } from "@cyxwiz/protocol/chunk";
import { CHUNK_KEY_ALGORITHM, createStreamCipher, STREAM_ALGORITHM } from "@cyxwiz/protocol/crypto";
import { DataClassification } from "@cyxwiz/protocol/gen";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { framesPath, manifestPath, manifestToJson, readManifest } from "../src/pack-dir.js";
import { runCli } from "./run-cli.js";

let dir: string;
const data = randomBytes(300_000);
const key = randomBytes(32);
let keyFile: string;
let input: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cyxwiz-suites-"));
  keyFile = join(dir, "dataset.key");
  await writeFile(keyFile, `${key.toString("hex")}\n`, { mode: 0o600 });
  input = join(dir, "data.bin");
  await writeFile(input, data);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `bytes` as a STREAM-v1 encrypted pack, frames and manifest as `cyxwiz pack` lays them out. */
async function writeStreamPack(out: string, bytes: Uint8Array): Promise<void> {
  const primitives = await loadPrimitives();
  const made = await createStreamCipher(primitives, new Uint8Array(key));
  if (!made.ok) throw new Error(made.error.message);
  const chunker = createChunker(primitives, bytesByteSource(bytes), {
    chunkSize: 65_536,
    codec: "none",
    cipher: made.value,
    metadata: { name: "old.bin", type: "opaque", classification: DataClassification.PUBLIC },
  });
  const parts: Uint8Array[] = [];
  for await (const chunk of chunker.chunks()) {
    const { header, payload, trailer } = await chunkToFrameParts(primitives, chunk);
    parts.push(header, ...payload, trailer);
  }
  await mkdir(out, { recursive: true });
  await writeFile(framesPath(out), Buffer.concat(parts));
  await writeFile(manifestPath(out), manifestToJson(chunker.manifest()));
}

/** Verifies `pack` with the key and unpacks it; the restored bytes. */
async function verifyAndUnpack(pack: string): Promise<Buffer> {
  const verify = await runCli(["verify", pack, "--key-file", keyFile, "--json"]);
  expect(verify.code, verify.stderr).toBe(0);
  expect(JSON.parse(verify.stdout)).toMatchObject({ decrypted: true });
  const restored = join(dir, `restored-${Math.random().toString(36).slice(2)}`);
  const unpack = await runCli(["unpack", pack, "--out", restored, "--key-file", keyFile]);
  expect(unpack.code, unpack.stderr).toBe(0);
  return readFile(restored);
}

describe("encrypted packs: the suite of new packs and of old ones", () => {
  it("packs a new dataset with per-chunk keys (CHUNKKEY-v1), which verifies and unpacks to the same bytes", async () => {
    const out = join(dir, "new-pack");
    const pack = await runCli([
      "pack",
      input,
      "--out",
      out,
      "--format",
      "opaque",
      "--chunk-size",
      "64KiB",
      "--encrypt",
      "--key-file",
      keyFile,
      "--json",
    ]);
    expect(pack.code, pack.stderr).toBe(0);
    expect((await readManifest(out)).cipher?.algorithm).toBe(CHUNK_KEY_ALGORITHM);
    expect((await verifyAndUnpack(out)).equals(data)).toBe(true);
  });

  it("still verifies and unpacks a STREAM-v1 pack, choosing the suite by its manifest", async () => {
    const out = join(dir, "old-pack");
    await writeStreamPack(out, data);
    expect((await readManifest(out)).cipher?.algorithm).toBe(STREAM_ALGORITHM);
    expect((await verifyAndUnpack(out)).equals(data)).toBe(true);
    const wrongKey = join(dir, "wrong.key");
    await writeFile(wrongKey, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600 });
    const refused = await runCli(["unpack", out, "--out", join(dir, "never"), "--key-file", wrongKey]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/WRONG_KEY/);
  });
});
