import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { describe, expect, it } from "vitest";
import { FrameFlag } from "../frame/frame-format.js";
import { CompressionCodec } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import { MerkleTree } from "../merkle/index.js";
import { bytesByteSource } from "./byte-source.js";
import { storedBytes } from "./chunk-format.js";
import { pack, testBytes } from "./chunk-test-support.js";
import { createChunker } from "./chunker.js";
import { checkManifest } from "./manifest-check.js";

const p = await loadPrimitives();
const key = new Uint8Array(32).fill(7);

describe("chunker", () => {
  it("splits into fixed-size chunks and builds a consistent manifest whose root is the tree of the digests", async () => {
    const data = testBytes(10_000);
    const { manifest, chunks } = await pack(p, data, { chunkSize: 4096 });
    expect(chunks.map((c) => c.plainSize)).toEqual([4096, 4096, 1808]);
    expect(chunks.map((c) => c.last)).toEqual([false, false, true]);
    expect(chunks[2]!.flags).toBe(FrameFlag.LAST_FRAME);
    expect(manifest.metadata!.numChunks).toBe(3);
    expect(manifest.metadata!.totalSize).toBe(10_000n);
    expect(manifest.codec).toBe(CompressionCodec.NONE);
    for (const c of chunks) expect(c.digest).toEqual(await p.sha256(storedBytes(c)));
    expect(manifest.metadata!.merkleRoot).toEqual(MerkleTree.fromDigests(manifest.chunkDigests).root);
    expect(checkManifest(manifest).ok).toBe(true);
    // Unencrypted, uncompressed chunks are the plaintext itself.
    expect(storedBytes(chunks[1]!)).toEqual(data.subarray(4096, 8192));
  });

  it("encrypts and compresses, marking each chunk's frame flags", async () => {
    const data = testBytes(50_000);
    const { manifest, chunks } = await pack(p, data, { chunkSize: 16_384, codec: "zstd", key });
    expect(manifest.codec).toBe(CompressionCodec.ZSTD);
    expect(manifest.cipher?.algorithm).toBe("AES-256-GCM-CHUNKKEY-v1");
    for (const c of chunks) {
      expect(c.flags & FrameFlag.ENCRYPTED).toBe(FrameFlag.ENCRYPTED);
      expect((c.flags & FrameFlag.COMPRESSED) !== 0).toBe(c.compressed);
    }
    expect(chunks.some((c) => c.compressed)).toBe(true);
    expect(checkManifest(manifest).ok).toBe(true);
  });

  it("turns compression off for the dataset when the first chunk does not shrink 1.1x", async () => {
    const random = new Uint8Array(40_000);
    crypto!.getRandomValues(random);
    const { manifest, chunks } = await pack(p, random, { chunkSize: 8192, codec: "lz4" });
    expect(manifest.codec).toBe(CompressionCodec.NONE);
    expect(chunks.every((c) => !c.compressed)).toBe(true);
  });

  it("an empty source is one empty last chunk", async () => {
    const { manifest, chunks } = await pack(p, new Uint8Array(0), { chunkSize: 1024 });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.last).toBe(true);
    expect(manifest.metadata!.totalSize).toBe(0n);
    expect(checkManifest(manifest).ok).toBe(true);
  });

  it("reports progress and refuses bad chunk sizes; the manifest is only available at the end", async () => {
    const seen: number[] = [];
    const chunker = createChunker(p, bytesByteSource(testBytes(3000)), {
      chunkSize: 1000,
      metadata: { name: "x" },
      onProgress: (d) => seen.push(d),
    });
    expect(() => chunker.manifest()).toThrow(/only after every chunk/);
    for await (const _ of chunker.chunks());
    expect(seen).toEqual([1000, 2000, 3000]);
    for (const bad of [0, -1, 1.5, 64 * 1024 * 1024]) {
      expect(() =>
        createChunker(p, bytesByteSource(new Uint8Array(1)), { chunkSize: bad, metadata: { name: "x" } }),
      ).toThrow(RangeError);
    }
  });
});

describe("checkManifest refuses a manifest that lies", () => {
  it("about sizes, counts, digests or its root", async () => {
    const { manifest } = await pack(p, testBytes(9000), { chunkSize: 2000 });
    const lies: Array<[string, (m: typeof manifest) => void]> = [
      ["total size", (m) => (m.metadata!.totalSize += 1n)],
      ["a chunk size", (m) => (m.plainSizes[0]! -= 1)],
      ["a chunk over chunk_size", (m) => (m.plainSizes[0] = 5000)],
      ["the chunk count", (m) => (m.metadata!.numChunks += 1)],
      ["a digest", (m) => (m.chunkDigests[2] = new Uint8Array(32))],
      ["a short digest", (m) => (m.chunkDigests[2] = new Uint8Array(31))],
      ["the root", (m) => (m.metadata!.merkleRoot = new Uint8Array(32))],
      ["a stored size over the frame bound", (m) => (m.storedSizes[0] = 1 << 30)],
      ["the codec", (m) => (m.codec = CompressionCodec.UNSPECIFIED)],
      ["compressed chunks with no codec", (m) => (m.compressed[0] = true)],
      ["the format version", (m) => (m.formatVersion = 2)],
    ];
    for (const [what, lie] of lies) {
      const m = structuredClone(manifest);
      lie(m);
      const r = checkManifest(m);
      expect(r.ok, what).toBe(false);
      if (!r.ok) expect(r.error.code, what).toBe("CYXW_ERR_MANIFEST");
    }
  });
});
