import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32Combine } from "./crc32-combine.js";

const p = await loadPrimitives();

describe("crc32Combine", () => {
  it("gives the CRC-32 of a concatenation from the CRCs of its two parts", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.uint8Array({ maxLength: 2048 }), (a, b) => {
        const joined = new Uint8Array([...a, ...b]);
        expect(crc32Combine(p.crc32(a), p.crc32(b), b.length)).toBe(p.crc32(joined));
      }),
      { numRuns: 300 },
    );
  });

  it("matches the check value when the standard '123456789' is cut anywhere", () => {
    const text = new TextEncoder().encode("123456789");
    for (let cut = 0; cut <= text.length; cut++) {
      const a = text.subarray(0, cut);
      const b = text.subarray(cut);
      expect(crc32Combine(p.crc32(a), p.crc32(b), b.length)).toBe(0xcbf43926);
    }
  });

  it("combines a 24-byte header with a 4 MiB payload as one pass would", () => {
    const header = new Uint8Array(24).map((_, i) => i * 7);
    const payload = new Uint8Array(4 * 1024 * 1024 + 16).map((_, i) => (i * 31) ^ (i >>> 8));
    expect(crc32Combine(p.crc32(header), p.crc32(payload), payload.length)).toBe(p.crc32(header, payload));
  });

  it("rejects a length that is not a non-negative safe integer", () => {
    expect(() => crc32Combine(0, 0, -1)).toThrow(RangeError);
    expect(() => crc32Combine(0, 0, 1.5)).toThrow(RangeError);
  });
});
