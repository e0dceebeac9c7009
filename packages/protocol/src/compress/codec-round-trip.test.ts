import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ChunkCodec, type CodecName, loadCodec } from "./index.js";

const NAMES: readonly CodecName[] = ["none", "zstd", "lz4", "snappy"];
const codecs = new Map<CodecName, ChunkCodec>();
for (const name of NAMES) codecs.set(name, await loadCodec(name));
const codec = (name: CodecName): ChunkCodec => codecs.get(name) as ChunkCodec;

function randomBytes(n: number): Uint8Array {
  const rng = globalThis.crypto;
  if (rng === undefined) throw new Error("these tests need globalThis.crypto");
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) rng.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

/** Text-like data with long repeats: what a CSV column or a sparse tensor looks like to a codec. */
function compressible(n: number): Uint8Array {
  const row = new TextEncoder().encode("2024-01-01T00:00:00Z,sensor-alpha,21.500,0.000,normal\n");
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = row[i % row.length] ?? 0;
  return out;
}

/** Index of the first byte where a and b differ, or -1 (vitest's deep equality is slow on MiBs). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

function roundTrip(c: ChunkCodec, plain: Uint8Array): Uint8Array {
  const copy = plain.slice();
  const packed = c.compress(plain);
  expect(firstDifference(plain, copy)).toBe(-1); // compress leaves its input alone
  const back = c.decompress(packed, plain.length);
  if (!back.ok) throw new Error(`${c.name}: ${back.error.code} ${back.error.message}`);
  expect(back.value.length).toBe(plain.length);
  expect(firstDifference(back.value, plain)).toBe(-1);
  return packed;
}

describe.each(NAMES)("%s round trip", (name) => {
  it("empty input", () => {
    roundTrip(codec(name), new Uint8Array(0));
  });

  it("one byte", () => {
    roundTrip(codec(name), Uint8Array.of(0x5a));
  });

  it("1 MiB of random bytes", () => {
    const packed = roundTrip(codec(name), randomBytes(1 << 20));
    // Incompressible input may grow, but only by a little (stored blocks).
    expect(packed.length).toBeLessThan((1 << 20) * 1.01 + 64);
  });

  it("4 MiB of highly compressible data shrinks", () => {
    const plain = compressible(4 << 20);
    const packed = roundTrip(codec(name), plain);
    if (name === "none") expect(packed.length).toBe(plain.length);
    else expect(packed.length).toBeLessThan(plain.length / 10);
  });

  it("a view into a larger buffer compresses only its own bytes", () => {
    const big = compressible(10_000);
    big.set(randomBytes(1000), 3000);
    roundTrip(codec(name), big.subarray(2500, 7500));
  });

  it("any bytes round-trip (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 4096 }),
          // Repeats of a short random unit, so matches (not only literals) are exercised.
          fc
            .tuple(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.integer({ min: 1, max: 2000 }))
            .map(([unit, times]) => {
              const out = new Uint8Array(unit.length * times);
              for (let i = 0; i < times; i++) out.set(unit, i * unit.length);
              return out;
            }),
        ),
        (plain) => {
          roundTrip(codec(name), plain);
        },
      ),
      { numRuns: 200 },
    );
  });
});
