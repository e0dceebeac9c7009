import { create } from "@bufbuild/protobuf";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { describe, expect, it } from "vitest";
import { CompressionCodec, SampleLayoutSchema } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import { MerkleTree } from "../merkle/index.js";
import { bytesByteSource } from "./byte-source.js";
import { storedBytes } from "./chunk-format.js";
import { createChunkPacker } from "./chunk-packer.js";
import { testBytes } from "./chunk-test-support.js";
import { createChunker } from "./chunker.js";
import { createManifestBuilder } from "./manifest-builder.js";
import { checkManifest } from "./manifest-check.js";

const p = await loadPrimitives();

async function packAll(data: Uint8Array, chunkSize: number) {
  const packer = createChunkPacker(p, bytesByteSource(data), { chunkSize });
  const chunks = [];
  for (let i = 0; i < packer.numChunks; i++) chunks.push(await packer.pack(i));
  return chunks;
}

const fields = (totalSize: number, chunkSize: number) => ({
  metadata: { name: "set", type: "opaque" },
  totalSize,
  chunkSize,
  codec: CompressionCodec.NONE,
  createdAt: new Date("2026-12-02T04:00:00Z"),
});

describe("createManifestBuilder", () => {
  it("builds the same manifest from chunks added out of order as in order, and it checks", async () => {
    const data = testBytes(21_000);
    const chunks = await packAll(data, 2000); // 11 chunks: the root folds an odd count
    const inOrder = createManifestBuilder(chunks.length);
    for (const c of chunks) inOrder.add(c.index, c);
    const shuffled = createManifestBuilder(chunks.length);
    for (const i of [7, 0, 10, 3, 1, 2, 9, 4, 6, 5, 8]) shuffled.add(i, chunks[i]!);
    const a = inOrder.build(fields(data.length, 2000));
    const b = shuffled.build(fields(data.length, 2000));
    expect(b).toEqual(a);
    expect(a.metadata!.merkleRoot).toEqual(MerkleTree.fromDigests(chunks.map((c) => c.digest)).root);
    expect(a.plainSizes).toEqual([...Array(10).fill(2000), 1000]);
    expect(a.createdAt!.seconds).toBe(BigInt(Date.parse("2026-12-02T04:00:00Z") / 1000));
    expect(checkManifest(a).ok).toBe(true);
  });

  it("is the manifest createChunker produces", async () => {
    const data = testBytes(9000);
    const chunker = createChunker(p, bytesByteSource(data), {
      chunkSize: 4096,
      metadata: { name: "set", type: "opaque" },
    });
    for await (const _ of chunker.chunks());
    const fromChunker = chunker.manifest();
    const builder = createManifestBuilder(3);
    for (const c of await packAll(data, 4096)) builder.add(c.index, c);
    const built = builder.build({ ...fields(data.length, 4096), createdAt: new Date(0) });
    expect({ ...built, createdAt: undefined }).toEqual({ ...fromChunker, createdAt: undefined });
  });

  it("builds a format 2 manifest for chunks of whole samples, each chunk read at its own offset", async () => {
    const data = testBytes(9000);
    const plainSizes = [3000, 1000, 5000];
    const samples = create(SampleLayoutSchema, {
      sourceFormat: "csv",
      columns: [{ name: "x", arrowType: "int32" }],
      numSamples: 9n,
      chunkSampleCounts: [3, 1, 5],
    });
    const chunker = createChunker(p, bytesByteSource(data), {
      chunkSize: 5000,
      plainSizes,
      samples,
      metadata: { name: "set" },
    });
    const chunks = [];
    for await (const c of chunker.chunks()) chunks.push(c);
    expect(chunks.map((c) => c.plainSize)).toEqual(plainSizes);
    expect(storedBytes(chunks[1]!)).toEqual(data.subarray(3000, 4000));
    const manifest = chunker.manifest();
    expect(manifest.formatVersion).toBe(2);
    expect(manifest.samples?.chunkSampleCounts).toEqual([3, 1, 5]);
    expect(manifest.plainSizes).toEqual(plainSizes);
    expect(checkManifest(manifest).ok).toBe(true);
  });

  it("refuses to build before every chunk is in, naming the first missing one; keeps the first result of a chunk", async () => {
    const chunks = await packAll(testBytes(5000), 2000);
    const b = createManifestBuilder(3);
    b.add(2, chunks[2]!);
    b.add(0, chunks[0]!);
    expect(b.missing()).toEqual([1]);
    expect(b.has(1)).toBe(false);
    expect(() => b.build(fields(5000, 2000))).toThrow(/chunk 1 has no result/);
    b.add(0, { ...chunks[1]!, digest: new Uint8Array(32) });
    b.add(1, chunks[1]!);
    expect(b.size).toBe(3);
    expect(b.build(fields(5000, 2000)).chunkDigests[0]).toEqual(chunks[0]!.digest);
  });

  it("rejects an index outside the chunks, a short digest, and a count below 1", () => {
    const b = createManifestBuilder(2);
    const r = { plainSize: 1, storedSize: 1, digest: new Uint8Array(32), compressed: false };
    expect(() => b.add(2, r)).toThrow(RangeError);
    expect(() => b.add(-1, r)).toThrow(RangeError);
    expect(() => b.add(0, { ...r, digest: new Uint8Array(31) })).toThrow(/31 bytes/);
    expect(() => createManifestBuilder(0)).toThrow(RangeError);
  });
});
