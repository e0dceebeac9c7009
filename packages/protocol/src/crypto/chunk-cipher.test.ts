import { create } from "@bufbuild/protobuf";
import { gcm } from "@noble/ciphers/aes.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBytes, splitAt, toHex } from "../../test-support/primitives-contract.js";
import { isProtocolError } from "../errors/error-codes.js";
import { CipherParametersSchema } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import { createWebPrimitives } from "../primitives/web-primitives.js";
import {
  type ChunkCipher,
  createChunkCipher,
  createStreamCipher,
  decryptStream,
  encryptStream,
  NEW_VERSION_ALGORITHM,
  STREAM_ALGORITHM,
} from "./chunk-cipher.js";
import { CHUNK_KEY_ALGORITHM } from "./chunk-key-cipher.js";
import { generateDatasetKey } from "./key-wrap.js";

const primitives = createWebPrimitives();

/** A STREAM-v1 cipher (this file's suite); readers of either suite go through createChunkCipher. */
async function cipherFor(key: Uint8Array, parameters?: Parameters<typeof createChunkCipher>[2]): Promise<ChunkCipher> {
  const r = await createStreamCipher(await primitives, key, parameters);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function* from<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) yield item;
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const x of stream) out.push(x);
  return out;
}

/** Decrypts `sealed`; returns the plaintext chunks it yielded and the error it threw (if any). */
async function tryDecrypt(cipher: ChunkCipher, sealed: Uint8Array[]): Promise<{ out: Uint8Array[]; error: unknown }> {
  const out: Uint8Array[] = [];
  try {
    for await (const x of decryptStream(cipher, from(sealed))) out.push(x);
    return { out, error: undefined };
  } catch (error) {
    return { out, error };
  }
}

/** A stream of `chunks` chunks of `chunkSize` bytes (the last one 0..chunkSize bytes), cut into random pieces. */
const streamCase = fc
  .record({
    chunkSize: fc.integer({ min: 1, max: 40 }),
    chunks: fc.integer({ min: 1, max: 12 }),
    lastFill: fc.double({ min: 0, max: 1, noNaN: true }),
    seed: fc.uint8Array({ minLength: 1, maxLength: 1 }),
    cuts: fc.array(fc.nat(500), { maxLength: 6 }),
  })
  .map(({ chunkSize, chunks, lastFill, seed, cuts }) => {
    // The last chunk holds 1..chunkSize bytes (a single chunk may also be empty).
    const lastLength = chunks === 1 ? Math.floor(lastFill * (chunkSize + 1)) : 1 + Math.floor(lastFill * chunkSize);
    const length = (chunks - 1) * chunkSize + Math.min(lastLength, chunkSize);
    const data = new Uint8Array(length).map((_, i) => (i * 31 + (seed[0] ?? 0)) & 0xff);
    return { chunkSize, chunks, data, pieces: splitAt(data, cuts) };
  });

/**
 * Seals `c` under a new cipher (on `key`, or a fresh one) and checks that the untouched stream
 * decrypts to its data, so each attack below is measured against a stream that does open.
 */
async function sealCase(
  c: { chunkSize: number; data: Uint8Array; pieces: Uint8Array[] },
  key = generateDatasetKey(),
): Promise<{ cipher: ChunkCipher; sealed: Uint8Array[] }> {
  const cipher = await cipherFor(key);
  const sealed = await collect(encryptStream(cipher, from(c.pieces), c.chunkSize));
  const control = await tryDecrypt(cipher, sealed);
  expect(control.error).toBeUndefined();
  expect(toHex(concatBytes(...control.out))).toBe(toHex(c.data));
  return { cipher, sealed };
}

/** Asserts the failure every attack must produce: a ProtocolError CYXW_ERR_DECRYPT naming a chunk. */
function expectDecryptFailure(result: { out: Uint8Array[]; error: unknown }, data: Uint8Array): void {
  expect(isProtocolError(result.error), String(result.error)).toBe(true);
  if (!isProtocolError(result.error)) return;
  expect(result.error.code).toBe("CYXW_ERR_DECRYPT");
  expect(result.error.message).toMatch(/chunk \d+/);
  // Whatever was released before the failure is genuine data, in place.
  const released = concatBytes(...result.out);
  expect(toHex(released)).toBe(toHex(data.subarray(0, released.length)));
}

describe("createChunkCipher: the suite of new versions and of readers", () => {
  it("encrypts a new version with per-chunk keys and opens a STREAM-v1 version by its parameters", async () => {
    const p = await primitives;
    const key = generateDatasetKey();
    const fresh = await createChunkCipher(p, key);
    if (!fresh.ok) throw new Error(fresh.error.message);
    expect(NEW_VERSION_ALGORITHM).toBe(CHUNK_KEY_ALGORITHM);
    expect(fresh.value.parameters.algorithm).toBe("AES-256-GCM-CHUNKKEY-v1");
    const old = await cipherFor(key);
    const sealed = await old.seal(0, true, new TextEncoder().encode("an old upload"));
    const reader = await createChunkCipher(p, key, old.parameters);
    if (!reader.ok) throw new Error(reader.error.message);
    expect(reader.value.parameters.algorithm).toBe(STREAM_ALGORITHM);
    const opened = await reader.value.open(0, true, sealed);
    expect(opened.ok && new TextDecoder().decode(opened.value)).toBe("an old upload");
  });

  it("refuses parameters naming an unknown suite with CYXW_ERR_MANIFEST", async () => {
    const p = await primitives;
    const key = generateDatasetKey();
    const parameters = create(CipherParametersSchema, { ...(await cipherFor(key)).parameters, algorithm: "ROT13-v1" });
    const r = await createChunkCipher(p, key, parameters);
    expect(r.ok ? "opened" : r.error.code).toBe("CYXW_ERR_MANIFEST");
    expect(r.ok ? "" : r.error.message).toContain("ROT13-v1");
  });
});

describe("chunk cipher: the STREAM construction", () => {
  it("matches the construction computed independently (HKDF-SHA256, nonce = prefix || u32be(index) || last)", async () => {
    const key = new Uint8Array(32).map((_, i) => i);
    const parameters = (await cipherFor(key)).parameters;
    const cipher = await cipherFor(key, parameters);
    expect(parameters.algorithm).toBe(STREAM_ALGORITHM);
    expect(parameters.salt.length).toBe(16);
    expect(parameters.noncePrefix.length).toBe(7);
    const te = new TextEncoder();
    expect(toHex(parameters.keyCheck)).toBe(
      toHex(hkdf(sha256, key, parameters.salt, te.encode("cyxwiz-key-check-v1"), 16)),
    );
    const streamKey = hkdf(sha256, key, parameters.salt, te.encode("cyxwiz-stream-key-v1"), 32);
    const plaintext = te.encode("chunk body");
    for (const [index, last] of [
      [0, false],
      [0, true],
      [1, false],
      [0x01020304, true],
      [0xffff_ffff, true],
    ] as const) {
      const nonce = concatBytes(
        parameters.noncePrefix,
        Uint8Array.of(index >>> 24, (index >>> 16) & 0xff, (index >>> 8) & 0xff, index & 0xff, last ? 1 : 0),
      );
      const expected = gcm(streamKey, nonce).encrypt(plaintext); // no associated data
      expect(toHex(await cipher.seal(index, last, plaintext)), `index ${index}, last ${last}`).toBe(toHex(expected));
    }
  });

  it("round-trips any input, however it is cut into pieces, into ceil(n / chunkSize) chunks (at least one)", async () => {
    await fc.assert(
      fc.asyncProperty(streamCase, fc.array(fc.nat(500), { maxLength: 6 }), async (c, otherCuts) => {
        const { cipher, sealed } = await sealCase(c);
        expect(sealed.length).toBe(Math.max(1, Math.ceil(c.data.length / c.chunkSize)));
        expect(sealed.length).toBe(c.chunks);
        sealed.forEach((s, i) => {
          const plain = Math.min(c.chunkSize, c.data.length - i * c.chunkSize);
          expect(s.length, `chunk ${i}`).toBe(Math.max(0, plain) + 16);
        });
        // The same input cut differently seals to the same chunks: only the byte stream matters.
        const again = await collect(encryptStream(cipher, from(splitAt(c.data, otherCuts)), c.chunkSize));
        expect(again.map(toHex)).toEqual(sealed.map(toHex));
        const opened = await collect(decryptStream(cipher, from(sealed)));
        expect(toHex(concatBytes(...opened))).toBe(toHex(c.data));
      }),
      { numRuns: 60 },
    );
  });

  it("seals empty input as one empty last chunk", async () => {
    const cipher = await cipherFor(generateDatasetKey());
    for (const pieces of [[], [new Uint8Array(0)], [new Uint8Array(0), new Uint8Array(0)]]) {
      const sealed = await collect(encryptStream(cipher, from(pieces), 8));
      expect(sealed.map((s) => s.length)).toEqual([16]);
      const opened = await cipher.open(0, true, sealed[0] ?? new Uint8Array(0));
      expect(opened.ok && opened.value.length).toBe(0);
    }
  });

  it("seals a whole number of chunks without an empty trailing chunk", async () => {
    const cipher = await cipherFor(generateDatasetKey());
    const sealed = await collect(encryptStream(cipher, from([new Uint8Array(24)]), 8));
    expect(sealed.map((s) => s.length)).toEqual([24, 24, 24]);
    const last = await cipher.open(2, true, sealed[2] ?? new Uint8Array(0));
    expect(last.ok).toBe(true);
  });

  it("pulls its source lazily: three chunks of output read only about three chunks of input", async () => {
    const cipher = await cipherFor(generateDatasetKey());
    let pulled = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) {
        pulled++;
        yield new Uint8Array(10);
      }
    }
    const out: Uint8Array[] = [];
    for await (const s of encryptStream(cipher, endless(), 100)) {
      out.push(s);
      if (out.length === 3) break;
    }
    // Chunk k is sealed once a byte of chunk k + 1 has arrived: 3 chunks need 31 pieces of 10 bytes.
    expect(pulled).toBe(31);
  });

  describe("every way of rearranging sealed chunks fails with CYXW_ERR_DECRYPT", () => {
    const runs = { numRuns: 40 };

    it("swapping two chunks", async () => {
      await fc.assert(
        fc.asyncProperty(
          streamCase.filter((c) => c.chunks >= 2),
          fc.nat(),
          fc.nat(),
          async (c, a, b) => {
            const { cipher, sealed } = await sealCase(c);
            const i = a % sealed.length;
            const j = (i + 1 + (b % (sealed.length - 1))) % sealed.length;
            const swapped = sealed.slice();
            [swapped[i], swapped[j]] = [sealed[j] as Uint8Array, sealed[i] as Uint8Array];
            expectDecryptFailure(await tryDecrypt(cipher, swapped), c.data);
          },
        ),
        runs,
      );
    });

    it("duplicating a chunk", async () => {
      await fc.assert(
        fc.asyncProperty(streamCase, fc.nat(), async (c, a) => {
          const { cipher, sealed } = await sealCase(c);
          const k = a % sealed.length;
          const duplicated = [...sealed.slice(0, k + 1), sealed[k] as Uint8Array, ...sealed.slice(k + 1)];
          expectDecryptFailure(await tryDecrypt(cipher, duplicated), c.data);
        }),
        runs,
      );
    });

    it("dropping the last chunk (truncation)", async () => {
      await fc.assert(
        fc.asyncProperty(streamCase, async (c) => {
          const { cipher, sealed } = await sealCase(c);
          const result = await tryDecrypt(cipher, sealed.slice(0, -1));
          expectDecryptFailure(result, c.data);
          expect(result.out.length).toBe(sealed.length - 1); // every kept chunk was genuine
        }),
        runs,
      );
    });

    it("dropping a middle chunk", async () => {
      await fc.assert(
        fc.asyncProperty(
          streamCase.filter((c) => c.chunks >= 2),
          fc.nat(),
          async (c, a) => {
            const { cipher, sealed } = await sealCase(c);
            const k = a % (sealed.length - 1); // any chunk but the last
            expectDecryptFailure(await tryDecrypt(cipher, [...sealed.slice(0, k), ...sealed.slice(k + 1)]), c.data);
          },
        ),
        runs,
      );
    });

    it("splicing in the same position's chunk of another stream (same key, new parameters, or another key)", async () => {
      await fc.assert(
        fc.asyncProperty(streamCase, fc.nat(), fc.boolean(), async (c, a, sameKey) => {
          const key = generateDatasetKey();
          const { cipher, sealed } = await sealCase(c, key);
          const other = await cipherFor(sameKey ? key : generateDatasetKey());
          const foreign = await collect(encryptStream(other, from(c.pieces), c.chunkSize)); // same plaintext
          const k = a % sealed.length;
          const spliced = sealed.slice();
          spliced[k] = foreign[k] as Uint8Array;
          expectDecryptFailure(await tryDecrypt(cipher, spliced), c.data);
        }),
        runs,
      );
    });

    it("appending a chunk after the last one, or sending no chunk at all", async () => {
      const cipher = await cipherFor(generateDatasetKey());
      const data = new Uint8Array(20).fill(3);
      const sealed = await collect(encryptStream(cipher, from([data]), 8));
      const extra = await cipher.seal(3, false, new Uint8Array(4));
      expectDecryptFailure(await tryDecrypt(cipher, [...sealed, extra]), data);
      expectDecryptFailure(await tryDecrypt(cipher, []), data);
    });
  });

  it("fails open() for every single-bit flip of a sealed chunk, last or not", async () => {
    const cipher = await cipherFor(generateDatasetKey());
    for (const last of [false, true]) {
      const sealed = await cipher.seal(5, last, new TextEncoder().encode("twenty bytes of data"));
      expect((await cipher.open(5, last, sealed)).ok).toBe(true);
      expect((await cipher.open(5, !last, sealed)).ok).toBe(false);
      expect((await cipher.open(4, last, sealed)).ok).toBe(false);
      for (let bit = 0; bit < sealed.length * 8; bit++) {
        const flipped = sealed.slice();
        flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        const r = await cipher.open(5, last, flipped);
        expect(r.ok ? "opened" : r.error.code, `bit ${bit}`).toBe("CYXW_ERR_DECRYPT");
        if (!r.ok) expect(r.error.message).toContain("chunk 5");
      }
      for (const cut of [0, 15, sealed.length - 1]) {
        const r = await cipher.open(5, last, sealed.subarray(0, cut));
        expect(r.ok ? "opened" : r.error.code, `cut to ${cut}`).toBe("CYXW_ERR_DECRYPT");
      }
    }
  });

  it("reports a wrong key as CYXW_ERR_WRONG_KEY before any chunk is opened", async () => {
    const key = generateDatasetKey();
    const parameters = (await cipherFor(key)).parameters;
    const wrong = await createChunkCipher(await primitives, generateDatasetKey(), parameters);
    expect(wrong.ok ? "accepted" : wrong.error.code).toBe("CYXW_ERR_WRONG_KEY");
    const flippedKey = key.slice();
    flippedKey[31] = (flippedKey[31] ?? 0) ^ 0x80;
    const almost = await createChunkCipher(await primitives, flippedKey, parameters);
    expect(almost.ok ? "accepted" : almost.error.code).toBe("CYXW_ERR_WRONG_KEY");
    expect((await createChunkCipher(await primitives, key, parameters)).ok).toBe(true);
  });

  it("reports malformed parameters as CYXW_ERR_MANIFEST", async () => {
    const key = generateDatasetKey();
    const good = (await cipherFor(key)).parameters;
    const variants = [
      { ...good, algorithm: "AES-256-GCM-STREAM-v2" },
      { ...good, algorithm: "" },
      { ...good, salt: good.salt.subarray(0, 15) },
      { ...good, noncePrefix: new Uint8Array(8) },
      { ...good, keyCheck: good.keyCheck.subarray(0, 8) },
    ];
    for (const v of variants) {
      const r = await createChunkCipher(await primitives, key, create(CipherParametersSchema, v));
      expect(r.ok ? "accepted" : r.error.code).toBe("CYXW_ERR_MANIFEST");
    }
  });

  it("draws fresh salt and nonce prefix for each new cipher, even under one key", async () => {
    const key = generateDatasetKey();
    const [a, b] = [(await cipherFor(key)).parameters, (await cipherFor(key)).parameters];
    expect(toHex(a.salt)).not.toBe(toHex(b.salt));
    expect(toHex(a.noncePrefix)).not.toBe(toHex(b.noncePrefix));
  });

  it("is not affected by the caller changing its key or parameters afterwards", async () => {
    const key = generateDatasetKey();
    const parameters = create(CipherParametersSchema, (await cipherFor(key)).parameters);
    const cipher = await cipherFor(key, parameters);
    const sealed = await cipher.seal(0, true, new Uint8Array(3));
    key.fill(0);
    parameters.noncePrefix.fill(0);
    parameters.salt.fill(0);
    const r = await cipher.open(0, true, sealed);
    expect(r.ok).toBe(true);
  });

  it("throws RangeError for a key that is not 32 bytes and for an index outside 0..2^32-1", async () => {
    const p = await primitives;
    for (const n of [0, 16, 31, 33]) {
      await expect(createChunkCipher(p, new Uint8Array(n)), `${n}-byte key`).rejects.toThrow(RangeError);
    }
    const cipher = await cipherFor(generateDatasetKey());
    for (const index of [-1, 2 ** 32, 1.5, Number.NaN]) {
      await expect(cipher.seal(index, false, new Uint8Array(1)), `index ${index}`).rejects.toThrow(RangeError);
      await expect(cipher.open(index, false, new Uint8Array(17)), `index ${index}`).rejects.toThrow(RangeError);
    }
    await expect(collect(encryptStream(cipher, from([new Uint8Array(1)]), 0))).rejects.toThrow(RangeError);
  });
});
