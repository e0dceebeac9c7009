import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { afterAll, describe, expect, it } from "vitest";
import { type ByteSource, bytesByteSource } from "../chunk/byte-source.js";
import { packEncrypted, testBytes } from "../chunk/chunk-test-support.js";
import { decodeFrame } from "../frame/frame-codec.js";
import { openFileByteSource } from "./file-byte-source.js";
import { createNodeSealingPool } from "./node-sealing-pool.js";

const base = await loadPrimitives();
const pool = createNodeSealingPool(2);
const pooled = pool.wrap(base);
afterAll(() => pool.close());

describe("Node sealing pool (worker threads)", () => {
  it("produces byte-identical frames and Merkle roots to sealing on the calling thread", async () => {
    const key = new Uint8Array(32).fill(3);
    for (const [size, chunkSize] of [
      [0, 1000],
      [1, 1000],
      [10_000, 1000],
      [10_001, 1000],
      [3 * 65_536 + 5, 65_536],
    ] as const) {
      const data = testBytes(size, size + 1);
      const one = await packEncrypted(base, bytesByteSource(data), key, { chunkSize });
      const many = await packEncrypted(pooled, bytesByteSource(data), key, { chunkSize, parameters: one.parameters });
      expect(many.frames).toEqual(one.frames);
      expect(many.manifest.metadata?.merkleRoot).toEqual(one.manifest.metadata?.merkleRoot);
      for (const f of many.frames) expect((await decodeFrame(base, f)).ok).toBe(true); // FCS and checksum hold
    }
  });

  it("reads a file through the pool, handing each fresh read to a worker without a copy", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cyxwiz-pool-"));
    try {
      const data = testBytes(20 * 65_536, 7); // whole chunks: every read buffer is one chunk exactly
      await writeFile(join(dir, "f"), data);
      const file = await openFileByteSource(join(dir, "f"));
      expect(file.freshReads).toBe(true);
      const reads: Uint8Array[] = [];
      const refills: Uint8Array[] = [];
      const watched: ByteSource = {
        ...file,
        async read(offset, length) {
          const bytes = await file.read(offset, length);
          reads.push(bytes);
          return bytes;
        },
        async readInto(offset, length, into) {
          const bytes = await file.readInto!(offset, length, into);
          refills.push(bytes);
          return bytes;
        },
      };
      const key = new Uint8Array(32).fill(4);
      const one = await packEncrypted(base, bytesByteSource(data), key, { chunkSize: 65_536 });
      const many = await packEncrypted(pooled, watched, key, { chunkSize: 65_536, parameters: one.parameters });
      await file.close();
      expect(many.frames).toEqual(one.frames);
      expect(reads.length + refills.length).toBe(20);
      // the workers hand the plaintext buffers back, and later chunks are read into them
      expect(refills.length).toBeGreaterThan(0);
      for (const r of [...reads, ...refills]) expect(r.byteLength).toBe(0); // transferred to a worker, not copied
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("does not keep a process alive once its work is done", () => {
    const script = `
      import { createNodeSealingPool } from ${JSON.stringify(fileURLToPath(new URL("./node-sealing-pool.ts", import.meta.url)))};
      import { createNodePrimitives } from ${JSON.stringify(fileURLToPath(new URL("../primitives/node-primitives.ts", import.meta.url)))};
      const p = createNodeSealingPool(2).wrap(await createNodePrimitives());
      const key = await p.importAesGcmKey(new Uint8Array(32));
      const r = await key.sealAndHash(new Uint8Array(12), new Uint8Array(1000));
      console.log("sealed", r.size);
    `;
    const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.error).toBeUndefined(); // a hang would time out here
    expect(run.stdout.trim(), run.stderr).toBe("sealed 1016");
    expect(run.status).toBe(0);
  });
});
