import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { afterAll, describe, expect, it } from "vitest";
import { blobByteSource, bytesByteSource } from "../chunk/byte-source.js";
import { packEncrypted, testBytes } from "../chunk/chunk-test-support.js";
import { canSealInWebWorkers, createWebSealingPool } from "./web-sealing-pool.js";

const base = await loadPrimitives();
const pool = createWebSealingPool(2);
afterAll(() => pool.close());

describe("Web sealing pool (Web Workers)", () => {
  it("is available in a secure context", () => {
    expect(canSealInWebWorkers()).toBe(true);
    expect(pool.wrap(base).name).toBe("web+2 sealing workers");
  });

  it("produces byte-identical frames and roots to sealing on the calling thread, from bytes and from a Blob", async () => {
    const key = new Uint8Array(32).fill(5);
    const data = testBytes(40_000, 3);
    const one = await packEncrypted(base, bytesByteSource(data), key, { chunkSize: 4096 });
    const fromBytes = await packEncrypted(pool.wrap(base), bytesByteSource(data), key, {
      chunkSize: 4096,
      parameters: one.parameters,
    });
    const fromBlob = await packEncrypted(pool.wrap(base), blobByteSource(new Blob([data])), key, {
      chunkSize: 4096,
      parameters: one.parameters,
    });
    expect(fromBytes.frames).toEqual(one.frames);
    expect(fromBlob.frames).toEqual(one.frames);
    expect(fromBlob.manifest.metadata?.merkleRoot).toEqual(one.manifest.metadata?.merkleRoot);
  });
});
