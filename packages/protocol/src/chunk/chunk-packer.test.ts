import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CodecName } from "../compress/index.js";
import { type ChunkCipher, createChunkCipher } from "../crypto/index.js";
import { CompressionCodec } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import { bytesByteSource } from "./byte-source.js";
import { type PackedChunk, storedBytes } from "./chunk-format.js";
import { fixedChunkLayout } from "./chunk-layout.js";
import { createChunkPacker, decideCodec } from "./chunk-packer.js";
import { testBytes } from "./chunk-test-support.js";
import { createChunker } from "./chunker.js";

const p = await loadPrimitives();

async function cipherFor(key: Uint8Array): Promise<ChunkCipher> {
  const made = await createChunkCipher(p, key);
  if (!made.ok) throw new Error(made.error.message);
  return made.value;
}

/** The chunks createChunker yields, in order, and its manifest's codec. */
async function chunkerOutput(data: Uint8Array, chunkSize: number, codec: CodecName, cipher?: ChunkCipher) {
  const chunker = createChunker(p, bytesByteSource(data), {
    chunkSize,
    codec,
    ...(cipher === undefined ? {} : { cipher }),
    metadata: { name: "t" },
  });
  const chunks: PackedChunk[] = [];
  for await (const c of chunker.chunks()) chunks.push(c);
  return { chunks, codec: chunker.manifest().codec };
}

/** Packs every chunk with the packer, in the given order, and returns them sorted by index. */
async function packerOutput(
  data: Uint8Array,
  chunkSize: number,
  codecName: CodecName,
  order: "forward" | "reverse",
  cipher?: ChunkCipher,
) {
  const source = bytesByteSource(data);
  const codec = await decideCodec(source, chunkSize, codecName);
  const packer = createChunkPacker(p, source, {
    chunkSize,
    ...(codec === undefined ? {} : { codec }),
    ...(cipher === undefined ? {} : { cipher }),
  });
  const indexes = Array.from({ length: packer.numChunks }, (_, i) => i);
  if (order === "reverse") indexes.reverse();
  const chunks: PackedChunk[] = [];
  for (const i of indexes) chunks[i] = await packer.pack(i);
  return { chunks, codec: codec?.codec ?? CompressionCodec.NONE, numChunks: packer.numChunks };
}

/** Compressible runs, then bytes that do not compress: chunks of one dataset differ in `compressed`. */
function mixedBytes(length: number): Uint8Array {
  const out = testBytes(length);
  const noise = new Uint8Array(Math.floor(length / 2));
  crypto!.getRandomValues(noise);
  out.set(noise, length - noise.length);
  return out;
}

describe("createChunkPacker", () => {
  const cases: Array<[string, Uint8Array, number, CodecName, boolean]> = [
    ["plain", testBytes(10_000), 4096, "none", false],
    ["zstd, some chunks left raw", mixedBytes(40_000), 4096, "zstd", false],
    ["lz4 on random data (codec dropped)", crypto!.getRandomValues(new Uint8Array(20_000)), 4096, "lz4", false],
    ["snappy + encrypted", mixedBytes(30_000), 8192, "snappy", true],
    ["zstd + encrypted, exact multiple of the chunk size", testBytes(16_384), 4096, "zstd", true],
    ["empty source", new Uint8Array(0), 1024, "zstd", true],
  ];
  for (const [label, data, chunkSize, codec, encrypt] of cases) {
    it(`produces byte-identical chunks to createChunker, in any order: ${label}`, async () => {
      const cipher = encrypt ? await cipherFor(new Uint8Array(32).fill(9)) : undefined;
      const expected = await chunkerOutput(data, chunkSize, codec, cipher);
      for (const order of ["forward", "reverse"] as const) {
        const got = await packerOutput(data, chunkSize, codec, order, cipher);
        expect(got.numChunks).toBe(expected.chunks.length);
        expect(got.codec).toBe(expected.codec);
        expect(got.chunks).toEqual(expected.chunks);
      }
      if (label.startsWith("zstd, some")) expect(new Set(expected.chunks.map((c) => c.compressed)).size).toBe(2);
    });
  }

  it("matches createChunker for random sizes, chunk sizes and codecs (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 12_000 }),
        fc.integer({ min: 100, max: 6000 }),
        fc.constantFrom<CodecName>("none", "zstd", "lz4", "snappy"),
        fc.boolean(),
        fc.integer({ min: 1, max: 1000 }),
        async (size, chunkSize, codec, encrypt, seed) => {
          const data = testBytes(size, seed);
          const cipher = encrypt ? await cipherFor(new Uint8Array(32).fill(seed & 0xff)) : undefined;
          const expected = await chunkerOutput(data, chunkSize, codec, cipher);
          const got = await packerOutput(data, chunkSize, codec, "reverse", cipher);
          expect(got.chunks).toEqual(expected.chunks);
          expect(got.codec).toBe(expected.codec);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("gives the same bytes when a chunk is packed again (resume) and with a cipher rebuilt from the saved parameters", async () => {
    const data = testBytes(9000);
    const key = new Uint8Array(32).fill(3);
    const first = await cipherFor(key);
    const again = await createChunkCipher(p, key, first.parameters);
    if (!again.ok) throw new Error(again.error.message);
    const a = createChunkPacker(p, bytesByteSource(data), { chunkSize: 2000, cipher: first });
    const b = createChunkPacker(p, bytesByteSource(data), { chunkSize: 2000, cipher: again.value });
    expect(await b.pack(3)).toEqual(await a.pack(3));
    expect(await a.pack(4)).toEqual(await a.pack(4));
    expect((await a.pack(4)).last).toBe(true);
  });

  it("packs the chunks a layout gives, and refuses a layout of another size than the source", async () => {
    const data = testBytes(5000);
    const source = bytesByteSource(data);
    const layout = fixedChunkLayout(2000, data.length);
    const byLayout = createChunkPacker(p, source, { layout });
    const bySize = createChunkPacker(p, source, { chunkSize: 2000 });
    expect(byLayout.numChunks).toBe(3);
    expect(byLayout.layout).toBe(layout);
    for (let i = 0; i < 3; i++) expect(await byLayout.pack(i)).toEqual(await bySize.pack(i));
    expect(storedBytes(await byLayout.pack(2))).toEqual(data.subarray(4000));
    expect(() => createChunkPacker(p, source, { layout: fixedChunkLayout(2000, 4999) })).toThrow(/4999 bytes/);
    expect((await decideCodec(source, layout, "none")) === undefined).toBe(true);
  });

  it("refuses bad chunk sizes and indexes", async () => {
    const source = bytesByteSource(testBytes(3000));
    for (const bad of [0, -1, 1.5, 64 * 1024 * 1024]) {
      expect(() => createChunkPacker(p, source, { chunkSize: bad })).toThrow(RangeError);
      await expect(decideCodec(source, bad, "zstd")).rejects.toThrow(RangeError);
    }
    const packer = createChunkPacker(p, source, { chunkSize: 1000 });
    expect(packer.numChunks).toBe(3);
    for (const bad of [-1, 3, 1.5, Number.NaN]) await expect(packer.pack(bad)).rejects.toThrow(RangeError);
  });
});

describe("decideCodec", () => {
  it("keeps a codec only when the first chunk shrinks at least 1.1x", async () => {
    const compressible = bytesByteSource(new Uint8Array(50_000).fill(65));
    const random = bytesByteSource(crypto!.getRandomValues(new Uint8Array(50_000)));
    expect((await decideCodec(compressible, 16_384, "zstd"))?.codec).toBe(CompressionCodec.ZSTD);
    expect((await decideCodec(compressible, 16_384, "lz4"))?.codec).toBe(CompressionCodec.LZ4);
    expect(await decideCodec(compressible, 16_384, "none")).toBeUndefined();
    expect(await decideCodec(random, 16_384, "zstd")).toBeUndefined();
    expect(await decideCodec(bytesByteSource(new Uint8Array(0)), 16_384, "zstd")).toBeUndefined();
  });

  it("judges the first chunk only", async () => {
    const data = new Uint8Array(20_000).fill(0);
    crypto!.getRandomValues(data.subarray(0, 4096)); // random first chunk, compressible rest
    expect(await decideCodec(bytesByteSource(data), 4096, "zstd")).toBeUndefined();
    expect((await decideCodec(bytesByteSource(data.slice(4096)), 4096, "zstd"))?.name).toBe("zstd");
  });

  it("refuses an unknown codec name", async () => {
    await expect(decideCodec(bytesByteSource(testBytes(10)), 10, "brotli" as CodecName)).rejects.toThrow(RangeError);
  });
});
