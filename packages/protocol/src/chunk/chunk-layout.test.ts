import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { describe, expect, it } from "vitest";
import { MAX_CHUNK_SIZE } from "./chunk-format.js";
import {
  describeSizeMismatch,
  fixedChunkLayout,
  MAX_CHUNKS,
  sampleChunkLayout,
  storedSizeBoundsOf,
  transferChunkLayout,
} from "./chunk-layout.js";
import { pack, testBytes } from "./chunk-test-support.js";
import { checkManifest } from "./manifest-check.js";

const p = await loadPrimitives();
const key = new Uint8Array(32).fill(9);

describe("fixed chunk layout", () => {
  it("cuts the total into chunks of chunk_size, the last one holding the rest", () => {
    const l = fixedChunkLayout(1000, 2500);
    expect([l.chunkSize, l.totalSize, l.numChunks]).toEqual([1000, 2500, 3]);
    expect([0, 1, 2].map((i) => l.plainSizeOf(i))).toEqual([1000, 1000, 500]);
    const exact = fixedChunkLayout(1000, 3000);
    expect(exact.numChunks).toBe(3);
    expect(exact.plainSizeOf(2)).toBe(1000);
    const empty = fixedChunkLayout(4096, 0); // an empty dataset is one empty chunk
    expect(empty.numChunks).toBe(1);
    expect(empty.plainSizeOf(0)).toBe(0);
    expect(fixedChunkLayout(1, 2).numChunks).toBe(2);
    expect(() => l.plainSizeOf(3)).toThrow(RangeError);
    expect(() => l.plainSizeOf(-1)).toThrow(RangeError);
    expect(() => l.plainSizeOf(0.5)).toThrow(RangeError);
  });

  it("refuses chunk sizes outside 1..MAX_CHUNK_SIZE, bad totals and more than MAX_CHUNKS chunks", () => {
    for (const chunkSize of [0, -1, 1.5, MAX_CHUNK_SIZE + 1, Number.NaN])
      expect(() => fixedChunkLayout(chunkSize, 10), String(chunkSize)).toThrow(RangeError);
    for (const total of [-1, 0.5, Number.MAX_SAFE_INTEGER + 2])
      expect(() => fixedChunkLayout(10, total), String(total)).toThrow(RangeError);
    expect(() => fixedChunkLayout(1, MAX_CHUNKS + 1)).toThrow(/at most/);
    expect(fixedChunkLayout(1, MAX_CHUNKS).numChunks).toBe(MAX_CHUNKS);
    expect(fixedChunkLayout(MAX_CHUNK_SIZE, 1).chunkSize).toBe(MAX_CHUNK_SIZE);
  });

  it("bounds each chunk's stored size: exact when raw, smaller when compressed, plus the GCM tag", () => {
    const l = fixedChunkLayout(1000, 2500);
    expect(l.storedSizeBounds(0, { encrypted: false, compressed: false })).toEqual({ min: 1000, max: 1000 });
    expect(l.storedSizeBounds(2, { encrypted: false, compressed: false })).toEqual({ min: 500, max: 500 });
    expect(l.storedSizeBounds(2, { encrypted: true, compressed: false })).toEqual({ min: 516, max: 516 });
    expect(l.storedSizeBounds(0, { encrypted: false, compressed: true })).toEqual({ min: 1, max: 999 });
    expect(l.storedSizeBounds(0, { encrypted: true, compressed: true })).toEqual({ min: 17, max: 1015 });
    expect(l.storedSizeBounds(0, { encrypted: true, compressed: "unknown" })).toEqual({ min: 17, max: 1016 });
    expect(() => l.storedSizeBounds(3, { encrypted: false, compressed: false })).toThrow(RangeError);
    // A chunk of 1 byte (or none) cannot shrink, so it is never stored compressed.
    const tiny = storedSizeBoundsOf(1, { encrypted: false, compressed: true });
    expect(tiny.min).toBeGreaterThan(tiny.max);
    expect(describeSizeMismatch(0, 1, tiny)).toMatch(/cannot be stored that way/);
    expect(storedSizeBoundsOf(0, { encrypted: true, compressed: false })).toEqual({ min: 16, max: 16 });
    expect(l.maxStoredTotal(false)).toBe(2500);
    expect(l.maxStoredTotal(true)).toBe(2500 + 3 * 16);
    expect(() => storedSizeBoundsOf(-1, { encrypted: false, compressed: false })).toThrow(RangeError);
  });

  it("says what was wrong with a size, and nothing for one that fits", () => {
    const b = { min: 1016, max: 1016 };
    expect(describeSizeMismatch(3, 1016, b)).toBeUndefined();
    expect(describeSizeMismatch(3, 1017, b)).toBe(
      "chunk 3 has 1017 stored bytes; its declared size allows exactly 1016",
    );
    expect(describeSizeMismatch(0, 0, { min: 1, max: 999 })).toMatch(/allows 1 to 999$/);
  });

  it("every chunk the packer makes (compressed or not, sealed or not) is within its bounds", async () => {
    for (const options of [
      { chunkSize: 700 },
      { chunkSize: 700, key },
      { chunkSize: 700, codec: "zstd" as const },
      { chunkSize: 700, codec: "lz4" as const, key },
      { chunkSize: 700, codec: "snappy" as const, key },
    ]) {
      const data = testBytes(5000, 7);
      const { chunks } = await pack(p, data, options);
      const layout = fixedChunkLayout(700, data.length);
      expect(chunks).toHaveLength(layout.numChunks);
      expect(chunks.some((c) => c.compressed)).toBe(options.codec !== undefined);
      for (const c of chunks) {
        expect(c.plainSize).toBe(layout.plainSizeOf(c.index));
        const form = { encrypted: options.key !== undefined, compressed: c.compressed };
        expect(describeSizeMismatch(c.index, c.storedSize, layout.storedSizeBounds(c.index, form))).toBeUndefined();
      }
    }
  });

  it("checkManifest refuses stored sizes the plain sizes do not allow", async () => {
    const { manifest } = await pack(p, testBytes(3000), { chunkSize: 1000, key, codec: "zstd" });
    expect(checkManifest(manifest).ok).toBe(true);
    const withStored = (m: typeof manifest, index: number, size: number) => ({
      ...m,
      storedSizes: m.storedSizes.map((s, i) => (i === index ? size : s)),
    });
    const message = (m: typeof manifest) => {
      const checked = checkManifest(m, { maxPayloadBytes: 64 << 20 });
      return checked.ok ? "ok" : checked.error.message;
    };
    expect(message(withStored(manifest, 0, 40 << 20))).toMatch(/chunk 0 has 41943040 stored bytes/);
    const compressed = manifest.compressed.indexOf(true);
    expect(compressed).toBeGreaterThanOrEqual(0);
    expect(message(withStored(manifest, compressed, 1016))).toMatch(/allows 17 to 1015/); // not smaller than raw
    const raw = (await pack(p, testBytes(3000), { chunkSize: 1000, key })).manifest;
    expect(message(raw)).toBe("ok");
    expect(message(withStored(raw, 2, 1015))).toMatch(
      /chunk 2 has 1015 stored bytes; its declared size allows exactly 1016/,
    );
  });
});

describe("sample chunk layout", () => {
  it("gives each chunk its own size and offset, within the chunk size", () => {
    const l = sampleChunkLayout(1000, [900, 1000, 37]);
    expect([l.chunkSize, l.totalSize, l.numChunks]).toEqual([1000, 1937, 3]);
    expect([0, 1, 2].map((i) => l.plainSizeOf(i))).toEqual([900, 1000, 37]);
    expect([0, 1, 2].map((i) => l.offsetOf(i))).toEqual([0, 900, 1900]);
    expect(l.samplePlainSizes).toEqual([900, 1000, 37]);
    expect(l.largestPlainSize).toBe(1000);
    expect(fixedChunkLayout(1000, 2500).largestPlainSize).toBe(1000);
    expect(fixedChunkLayout(1000, 300).largestPlainSize).toBe(300);
    expect(l.storedSizeBounds(2, { encrypted: true, compressed: false })).toEqual({ min: 53, max: 53 });
    expect(l.maxStoredTotal(true)).toBe(1937 + 3 * 16);
    expect(() => l.offsetOf(3)).toThrow(RangeError);
  });

  it("refuses empty chunks, chunks over the chunk size and no chunks, naming the chunk", () => {
    expect(() => sampleChunkLayout(1000, [900, 0, 5])).toThrow(/chunk 1 declares 0/);
    expect(() => sampleChunkLayout(1000, [1001])).toThrow(/chunk 0 declares 1001/);
    expect(() => sampleChunkLayout(1000, [])).toThrow(/1 to/);
    expect(() => sampleChunkLayout(1000, [1.5])).toThrow(RangeError);
  });

  it("is what a transfer that lists plain sizes declared; fixed otherwise", () => {
    expect(transferChunkLayout({ chunkSize: 10, totalSize: 25 }).samplePlainSizes).toBeUndefined();
    expect(transferChunkLayout({ chunkSize: 10, totalSize: 25, plainSizes: [] }).numChunks).toBe(3);
    expect(transferChunkLayout({ chunkSize: 10, totalSize: 15, plainSizes: [9, 6] }).offsetOf(1)).toBe(9);
    expect(() => transferChunkLayout({ chunkSize: 10, totalSize: 16, plainSizes: [9, 6] })).toThrow(
      /add up to 15 bytes, not the total_size 16/,
    );
  });
});
