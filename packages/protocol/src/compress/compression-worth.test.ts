import { describe, expect, it } from "vitest";
import { type CodecName, loadCodec, MIN_COMPRESSION_RATIO, worthCompressing } from "./index.js";

const CHUNK = 4 << 20;

function randomBytes(n: number): Uint8Array {
  const rng = globalThis.crypto;
  if (rng === undefined) throw new Error("these tests need globalThis.crypto");
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) rng.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

describe("worthCompressing", () => {
  it("draws the line at a ratio of 1.1", () => {
    expect(MIN_COMPRESSION_RATIO).toBe(1.1);
    expect(worthCompressing(110, 100)).toBe(true);
    expect(worthCompressing(109, 100)).toBe(false);
    expect(worthCompressing(4 << 20, 1 << 20)).toBe(true);
    expect(worthCompressing(100, 100)).toBe(false);
    expect(worthCompressing(100, 120)).toBe(false);
  });

  it("an empty chunk is never worth compressing", () => {
    expect(worthCompressing(0, 0)).toBe(false);
    expect(worthCompressing(0, 9)).toBe(false);
  });

  it("rejects sizes that are not non-negative integers", () => {
    for (const [a, b] of [
      [-1, 10],
      [10, -1],
      [1.5, 1],
      [10, Number.NaN],
      [Number.POSITIVE_INFINITY, 1],
    ] as const) {
      expect(() => worthCompressing(a, b)).toThrow(RangeError);
    }
  });

  it.each<CodecName>(["zstd", "lz4", "snappy"])(
    "a random 4 MiB chunk is not worth compressing with %s",
    async (name) => {
      const codec = await loadCodec(name);
      const chunk = randomBytes(CHUNK);
      expect(worthCompressing(chunk.length, codec.compress(chunk).length)).toBe(false);
    },
  );
});
