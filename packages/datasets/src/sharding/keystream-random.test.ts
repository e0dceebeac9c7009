import { describe, expect, it } from "vitest";
import { KeystreamRandom, seededRandom } from "./keystream-random.js";

describe("seededRandom", () => {
  it("is a function of its domain and values: the same inputs repeat, any change gives another stream", () => {
    const draw = (domain: string, values: number[]) => {
      const r = seededRandom(domain, values);
      return Array.from({ length: 8 }, () => r.nextUint32());
    };
    expect(draw("a", [1, 2])).toEqual(draw("a", [1, 2]));
    expect(draw("a", [1, 2])).not.toEqual(draw("a", [1, 3]));
    expect(draw("a", [1, 2])).not.toEqual(draw("b", [1, 2]));
    expect(draw("a", [2 ** 40])).not.toEqual(draw("a", [0]));
    expect(() => seededRandom("a", [-1])).toThrow(RangeError);
    expect(() => seededRandom("a", [0.5])).toThrow(RangeError);
  });
});

describe("KeystreamRandom", () => {
  it("yields the ChaCha20 keystream of RFC 8439 §A.1 test vector #1 (zero key, zero nonce, counter 0)", () => {
    // Keystream bytes 76 b8 e0 ad a0 f1 3d 90 40 5d 6a e5 53 86 bd 28, read as little-endian uint32s.
    const random = new KeystreamRandom(new Uint8Array(32));
    expect([random.nextUint32(), random.nextUint32(), random.nextUint32(), random.nextUint32()]).toEqual([
      0xade0b876, 0x903df1a0, 0xe56a5d40, 0x28bd8653,
    ]);
  });

  it("continues across refills (block counter advances) and stays in bounds", () => {
    const a = new KeystreamRandom(new Uint8Array(32).fill(7));
    const words = Array.from({ length: 5000 }, () => a.nextUint32());
    expect(new Set(words).size).toBeGreaterThan(4990); // a repeat of the first refill would halve it
    const b = new KeystreamRandom(new Uint8Array(32).fill(7));
    for (let i = 0; i < 2000; i++) {
      const x = b.below(7);
      expect(x >= 0 && x < 7 && Number.isInteger(x)).toBe(true);
    }
    expect(() => new KeystreamRandom(new Uint8Array(16))).toThrow(RangeError);
  });

  it("draws each value of a small bound about equally often (no modulo bias)", () => {
    const random = new KeystreamRandom(new Uint8Array(32).fill(1));
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[random.below(6)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500); // > 5 sigma
  });
});
