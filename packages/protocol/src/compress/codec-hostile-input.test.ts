import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ProtocolFailure } from "../errors/error-codes.js";
import type { Result } from "../result.js";
import { type ChunkCodec, type CodecName, loadCodec } from "./index.js";
import { checkLz4Frame } from "./lz4-codec.js";
import { checkSnappyPreamble } from "./snappy-codec.js";
import { checkZstdHeader } from "./zstd-codec.js";

const COMPRESSING: readonly Exclude<CodecName, "none">[] = ["zstd", "lz4", "snappy"];
const codecs = new Map<CodecName, ChunkCodec>();
for (const name of [...COMPRESSING, "none"] as const) codecs.set(name, await loadCodec(name));
const codec = (name: CodecName): ChunkCodec => codecs.get(name) as ChunkCodec;

const MiB = 1 << 20;
const zeros64MiB = new Uint8Array(64 * MiB);
/** Each codec's bomb: 64 MiB of zeros, from a few KiB (zstd) to 3 MiB (Snappy) on the wire. */
const bombs = new Map<CodecName, Uint8Array>(COMPRESSING.map((name) => [name, codec(name).compress(zeros64MiB)]));
const bomb = (name: CodecName): Uint8Array => bombs.get(name) as Uint8Array;

function sample(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = i % 7 === 0 ? x >>> 24 : 97 + ((i >> 4) % 5); // mostly repeats, some noise
  }
  return out;
}

function expectDecompressFailure(r: Result<Uint8Array, ProtocolFailure>): void {
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.error.code).toBe("CYXW_ERR_DECOMPRESS");
}

/** What hostile input may do: fail with CYXW_ERR_DECOMPRESS, or (no checksum) decode to exactly the size. */
function expectFailureOrExactSize(r: Result<Uint8Array, ProtocolFailure>, expectedSize: number): void {
  if (r.ok) expect(r.value.length).toBe(expectedSize);
  else expect(r.error.code).toBe("CYXW_ERR_DECOMPRESS");
}

function expectStillWorks(c: ChunkCodec): void {
  const plain = sample(100_000, 7);
  const r = c.decompress(c.compress(plain), plain.length);
  expect(r.ok && r.value.length === plain.length && r.value.every((b, i) => b === plain[i])).toBe(true);
}

describe.each(COMPRESSING)("%s against hostile input", (name) => {
  it("a bomb (64 MiB of zeros) is refused when the manifest says 1 MiB", () => {
    const c = codec(name);
    expect(bomb(name).length).toBeLessThan((64 * MiB) / 20); // Snappy tops out near 21x
    expectDecompressFailure(c.decompress(bomb(name), MiB));
    expectStillWorks(c);
  });

  it("the same bomb is refused one byte short of its size, and accepted at exactly its size", () => {
    const c = codec(name);
    expectDecompressFailure(c.decompress(bomb(name), 64 * MiB - 1));
    const r = c.decompress(bomb(name), 64 * MiB);
    expect(r.ok && r.value.length === 64 * MiB).toBe(true);
  });

  it("a wrong expected size, too small or too large, is refused", () => {
    const c = codec(name);
    const plain = sample(10_000, 1);
    const packed = c.compress(plain);
    for (const size of [0, 1, 5_000, 9_999, 10_001, 20_000, MiB]) expectDecompressFailure(c.decompress(packed, size));
    expect(c.decompress(packed, 10_000).ok).toBe(true);
  });

  it("empty and truncated input is refused", () => {
    const c = codec(name);
    const plain = sample(50_000, 2);
    const packed = c.compress(plain);
    expectDecompressFailure(c.decompress(new Uint8Array(0), 0));
    expectDecompressFailure(c.decompress(new Uint8Array(0), plain.length));
    for (const cut of [1, 4, 8, Math.floor(packed.length / 2), packed.length - 1]) {
      expectDecompressFailure(c.decompress(packed.subarray(0, cut), plain.length));
    }
  });

  it("random bytes never throw (fast-check)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.integer({ min: 0, max: MiB }), (bytes, size) => {
        expectFailureOrExactSize(codec(name).decompress(bytes, size), size);
      }),
      { numRuns: 500 },
    );
    expectStillWorks(codec(name));
  });

  it("bit-flipped, cut and extended compressed chunks never throw (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40_000 }),
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: -16, max: 16 }),
        (n, seed, flips, resize) => {
          const plain = sample(n, seed);
          const packed = codec(name).compress(plain);
          for (const [at, bit] of flips) {
            const i = at % packed.length;
            packed[i] = (packed[i] ?? 0) ^ (1 << bit);
          }
          const mutated = new Uint8Array(Math.max(0, packed.length + resize));
          mutated.set(packed.subarray(0, mutated.length));
          expectFailureOrExactSize(codec(name).decompress(mutated, n), n);
        },
      ),
      { numRuns: 500 },
    );
    expectStillWorks(codec(name));
  });

  it("a valid header followed by random bytes never throws (fast-check)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.uint8Array({ minLength: 1, maxLength: 4096 }), (n, tail) => {
        const header = codec(name)
          .compress(sample(n, n))
          .subarray(0, name === "snappy" ? 3 : 11);
        const input = new Uint8Array(header.length + tail.length);
        input.set(header);
        input.set(tail, header.length);
        expectFailureOrExactSize(codec(name).decompress(input, n), n);
      }),
      { numRuns: 500 },
    );
    expectStillWorks(codec(name));
  });
});

describe("zstd frame headers", () => {
  const zstd = codec("zstd");
  // The bomb's header: magic, descriptor 0x80 (4-byte content size, not single-segment), window
  // descriptor, then the content size 64 MiB little-endian.
  const header = (): Uint8Array => bomb("zstd").slice();

  it("the bomb's header is the layout these tests patch", () => {
    expect(Array.from(header().subarray(0, 10))).toEqual([0x28, 0xb5, 0x2f, 0xfd, 0x80, header()[5], 0, 0, 0, 4]);
  });

  it("a frame that lies about its size (declares 1 MiB, holds 64 MiB) is refused", () => {
    const lying = header();
    lying.set([0, 0, 0x10, 0], 6);
    expect(checkZstdHeader(lying, MiB)).toBeUndefined(); // the header alone looks right...
    expectDecompressFailure(zstd.decompress(lying, MiB)); // ...but libzstd stops at the 1 MiB bound
    expectStillWorks(zstd);
  });

  it("a frame declaring 2^40 bytes is refused before anything is allocated", () => {
    const huge = Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0xe0, 0, 0, 0, 0, 0, 1, 0, 0, 0x01, 0, 0);
    expect(checkZstdHeader(huge, MiB)).toMatch(/more than 4 GiB/);
    expectDecompressFailure(zstd.decompress(huge, MiB));
  });

  it("a frame that does not declare its size is refused", () => {
    const b = bomb("zstd");
    const unsized = new Uint8Array(b.length - 4);
    unsized.set(b.subarray(0, 4));
    unsized[4] = 0x00; // no content size field
    unsized.set(b.subarray(5, 6), 5);
    unsized.set(b.subarray(10), 6);
    expect(checkZstdHeader(unsized, 64 * MiB)).toMatch(/does not declare/);
    expectDecompressFailure(zstd.decompress(unsized, 64 * MiB));
  });

  it("reserved bits, oversized windows and skippable frames are refused", () => {
    const reserved = header();
    reserved[4] = (reserved[4] ?? 0) | 0x08;
    expect(checkZstdHeader(reserved, 64 * MiB)).toMatch(/reserved/);
    const window = header();
    window[5] = 0xf8; // window log 41
    expect(checkZstdHeader(window, 64 * MiB)).toMatch(/window/);
    const skippable = Uint8Array.of(0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4);
    expect(checkZstdHeader(skippable, 0)).toMatch(/does not start/);
    for (const bad of [reserved, window, skippable]) expectDecompressFailure(zstd.decompress(bad, 64 * MiB));
  });

  it("a 1 MiB frame followed by the bomb is refused at the 1 MiB bound", () => {
    const first = zstd.compress(new Uint8Array(MiB));
    const both = new Uint8Array(first.length + bomb("zstd").length);
    both.set(first);
    both.set(bomb("zstd"), first.length);
    expectDecompressFailure(zstd.decompress(both, MiB));
    expectStillWorks(zstd);
  });
});

describe("lz4 frames", () => {
  const lz4 = codec("lz4");
  const header = [0x04, 0x22, 0x4d, 0x18, 0x40, 0x70, 0xdf] as const; // what lz4js writes

  it("the scan accepts what lz4js writes and computes its exact size", () => {
    const plain = sample(3 * MiB, 9);
    const packed = lz4.compress(plain);
    expect(Array.from(packed.subarray(0, 7))).toEqual([...header]);
    expect(checkLz4Frame(packed, plain.length)).toBeUndefined();
    expect(checkLz4Frame(packed, plain.length - 1)).toMatch(/expands beyond/);
    expect(checkLz4Frame(packed, plain.length + 1)).toMatch(/decodes to/);
  });

  it("a block length beyond the frame's maximum or the input is refused", () => {
    const huge = Uint8Array.of(...header, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0);
    expect(checkLz4Frame(huge, MiB)).toMatch(/exceeds/);
    const past = Uint8Array.of(...header, 0x00, 0x10, 0x00, 0x00, 0x10, 0x61, 0, 0, 0, 0);
    expect(checkLz4Frame(past, MiB)).toMatch(/truncated/);
    for (const bad of [huge, past]) expectDecompressFailure(lz4.decompress(bad, MiB));
  });

  it("a match reaching before the start of the data is refused", () => {
    // One block: token 0x10 (1 literal, match 4), literal "a", offset 2 (only 1 byte produced).
    const block = [0x10, 0x61, 0x02, 0x00];
    const frame = Uint8Array.of(...header, block.length, 0, 0, 0, ...block, 0, 0, 0, 0);
    expect(checkLz4Frame(frame, 5)).toMatch(/before the start/);
    expectDecompressFailure(lz4.decompress(frame, 5));
  });

  it("a frame that decodes short of the expected size is refused (lz4js alone would zero-fill)", () => {
    const frame = Uint8Array.of(...header, 0x01, 0, 0, 0x80, 0x61, 0, 0, 0, 0); // one stored byte
    expect(lz4.decompress(frame, 1).ok).toBe(true);
    expectDecompressFailure(lz4.decompress(frame, 2));
  });

  it("bytes after the end mark, dictionary ids and block checksums are refused", () => {
    const trailing = Uint8Array.of(...lz4.compress(Uint8Array.of(1, 2, 3)), 0);
    expect(checkLz4Frame(trailing, 3)).toMatch(/follow/);
    const dict = Uint8Array.of(0x04, 0x22, 0x4d, 0x18, 0x41, 0x70, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    const blockSums = Uint8Array.of(0x04, 0x22, 0x4d, 0x18, 0x50, 0x70, 0, 0, 0, 0, 0);
    for (const bad of [trailing, dict, blockSums]) expectDecompressFailure(lz4.decompress(bad, 3));
  });

  it("a declared content size must be the expected size", () => {
    const withSize = (size: number): Uint8Array =>
      Uint8Array.of(
        0x04,
        0x22,
        0x4d,
        0x18,
        0x48,
        0x70,
        size,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0x01,
        0,
        0,
        0x80,
        0x61,
        0,
        0,
        0,
        0,
      );
    expect(lz4.decompress(withSize(1), 1).ok).toBe(true);
    expectDecompressFailure(lz4.decompress(withSize(2), 1));
  });
});

describe("snappy preambles", () => {
  const snappy = codec("snappy");

  it("a preamble declaring 4 GiB - 1 is refused before anything is allocated", () => {
    const huge = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f, 0x00);
    expect(checkSnappyPreamble(huge, MiB)).toMatch(/declares 4294967295/);
    expectDecompressFailure(snappy.decompress(huge, MiB));
  });

  it("a preamble longer than 5 bytes is refused", () => {
    expect(checkSnappyPreamble(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x00), 0)).toMatch(/longer than 5/);
  });

  it("a stream producing fewer or more bytes than its preamble declares is refused", () => {
    const short = Uint8Array.of(10, 0x08, 0x61, 0x62, 0x63); // declares 10, holds one 3-byte literal
    const long = Uint8Array.of(2, 0x08, 0x61, 0x62, 0x63); // declares 2, holds 3
    expectDecompressFailure(snappy.decompress(short, 10));
    expectDecompressFailure(snappy.decompress(long, 2));
    expect(snappy.decompress(Uint8Array.of(3, 0x08, 0x61, 0x62, 0x63), 3).ok).toBe(true);
  });
});

describe("none", () => {
  it("accepts exactly the expected size and nothing else", () => {
    const none = codec("none");
    const data = sample(1000, 3);
    expect(none.decompress(data, 1000)).toEqual({ ok: true, value: data });
    expectDecompressFailure(none.decompress(data, 999));
    expectDecompressFailure(none.decompress(data, 1001));
  });
});
