import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { afterAll, describe, expect, it } from "vitest";
import { type ByteSource, blobByteSource, bytesByteSource } from "../chunk/byte-source.js";
import { testBytes } from "../chunk/chunk-test-support.js";
import { chunkToFrame, createChunker } from "../chunk/chunker.js";
import { createChunkCipher } from "../crypto/index.js";
import type { Primitives } from "./primitives.js";
import { canSealInWebWorkers, createWebSealingPool } from "./web-sealing-pool.js";

const base = await loadPrimitives();
const pool = createWebSealingPool(2);
afterAll(() => pool.close());

async function packAll(
  p: Primitives,
  source: ByteSource,
  key: Uint8Array,
  params?: Parameters<typeof createChunkCipher>[2],
) {
  const made = await createChunkCipher(p, key, params);
  if (!made.ok) throw new Error(made.error.message);
  const chunker = createChunker(p, source, {
    chunkSize: 4096,
    cipher: made.value,
    readAhead: 3,
    metadata: { name: "t" },
  });
  const frames: Uint8Array[] = [];
  for await (const chunk of chunker.chunks()) frames.push(await chunkToFrame(p, chunk));
  return { frames, root: chunker.manifest().metadata?.merkleRoot, parameters: made.value.parameters };
}

describe("Web sealing pool (Web Workers)", () => {
  it("is available in a secure context", () => {
    expect(canSealInWebWorkers()).toBe(true);
    expect(pool.wrap(base).name).toBe("web+2 sealing workers");
  });

  it("produces byte-identical frames and roots to sealing on the calling thread, from bytes and from a Blob", async () => {
    const key = new Uint8Array(32).fill(5);
    const data = testBytes(40_000, 3);
    const one = await packAll(base, bytesByteSource(data), key);
    const fromBytes = await packAll(pool.wrap(base), bytesByteSource(data), key, one.parameters);
    const fromBlob = await packAll(pool.wrap(base), blobByteSource(new Blob([data])), key, one.parameters);
    expect(fromBytes.frames).toEqual(one.frames);
    expect(fromBlob.frames).toEqual(one.frames);
    expect(fromBlob.root).toEqual(one.root);
  });
});
