/**
 * The behaviour every `Primitives` implementation must share, as one vitest suite that each
 * runtime's test file runs against its implementations (node, web with crypto.subtle, web
 * fallback). The frame FCS (CRC-32), chunk checksums (SHA-256) and chunk AEAD (AES-256-GCM) of
 * seed §4.2 and §4.4 are computed through this interface, so every implementation must agree
 * with the published known answers, not only with itself.
 */
import wycheproofAesGcm from "@vectors/wycheproof/aes_gcm_test.json";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Primitives } from "../src/primitives/primitives.js";
import vectors from "../test-vectors/sha256-crc32.json";

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Bytes of an even-length hex string. @throws RangeError on odd length or a non-hex digit. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new RangeError(`not a hex string: ${hex}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The message of a vector entry: `ascii` repeated `repeat` times. */
export function vectorMessage(v: { ascii: string; repeat?: number }): Uint8Array {
  return new TextEncoder().encode(v.ascii.repeat(v.repeat ?? 1));
}

/** `parts` joined into one buffer. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `data` cut at the given offsets (sorted, clamped to its length): the pieces concatenate back to `data`. */
export function splitAt(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...cuts.map((c) => Math.min(c, data.length)).sort((a, b) => a - b), data.length];
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    pieces.push(data.subarray(from, p));
    from = p;
  }
  return pieces;
}

/** Wycheproof AES-GCM cases this interface supports: 256-bit key, 96-bit nonce, 128-bit tag. */
export const wycheproofAes256Gcm = wycheproofAesGcm.testGroups
  .filter((g) => g.keySize === 256 && g.ivSize === 96 && g.tagSize === 128)
  .flatMap((g) => g.tests);

/** Arbitrary byte strings of up to `maxLength` bytes. */
export const bytes = (maxLength: number) => fc.uint8Array({ maxLength });
const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const nonce12 = fc.uint8Array({ minLength: 12, maxLength: 12 });

/**
 * Registers the shared suite for one implementation.
 *
 * @param label how the implementation appears in test names.
 * @param create makes a fresh instance (called once per test).
 * @param expectedName the `name` the instance reports.
 */
export function describePrimitivesContract(
  label: string,
  create: () => Promise<Primitives>,
  expectedName: string,
): void {
  describe(`Primitives contract: ${label}`, () => {
    it(`reports its name as "${expectedName}"`, async () => {
      const p = await create();
      expect(p.name).toBe(expectedName);
      // Only the slow pure-JS fallback has something to warn the user about.
      expect(p.warnings.length > 0).toBe(expectedName === "web-noble-fallback");
    });

    describe("SHA-256", () => {
      for (const v of vectors.sha256) {
        it(`one-shot matches ${v.source}`, async () => {
          const p = await create();
          expect(toHex(await p.sha256(vectorMessage(v)))).toBe(v.digest);
        });

        it(`incremental (1000-byte pieces) matches ${v.source}`, async () => {
          const p = await create();
          const data = vectorMessage(v);
          const h = await p.createSha256();
          for (let i = 0; i < data.length; i += 1000) h.update(data.subarray(i, i + 1000));
          expect(toHex(h.digest())).toBe(v.digest);
        });
      }

      it("incremental over any split equals one-shot", async () => {
        const p = await create();
        await fc.assert(
          fc.asyncProperty(bytes(4096), fc.array(fc.nat(4096), { maxLength: 8 }), async (data, cuts) => {
            const h = await p.createSha256();
            for (const piece of splitAt(data, cuts)) h.update(piece);
            expect(toHex(h.digest())).toBe(toHex(await p.sha256(data)));
          }),
        );
      });

      it("hashes a view by its own bytes, not its whole underlying buffer", async () => {
        const p = await create();
        const backing = new TextEncoder().encode("xxabcyy");
        expect(toHex(await p.sha256(backing.subarray(2, 5)))).toBe(vectors.sha256[0]?.digest);
        const h = await p.createSha256();
        expect(toHex(h.update(backing.subarray(2, 5)).digest())).toBe(vectors.sha256[0]?.digest);
      });

      it("keeps concurrent one-shot calls and interleaved streams apart", async () => {
        const p = await create();
        const inputs = Array.from({ length: 16 }, (_, i) => new Uint8Array(1000 + i).fill(i));
        const expected: string[] = [];
        for (const d of inputs) expected.push(toHex(await p.sha256(d)));
        const concurrent = await Promise.all(inputs.map(async (d) => toHex(await p.sha256(d))));
        expect(concurrent).toEqual(expected);
        expect(new Set(expected).size).toBe(inputs.length);

        const [a, b] = [await p.createSha256(), await p.createSha256()];
        a.update(new TextEncoder().encode("ab"));
        b.update(new TextEncoder().encode("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"));
        a.update(new TextEncoder().encode("c"));
        expect(toHex(a.digest())).toBe(vectors.sha256[0]?.digest);
        expect(toHex(b.digest())).toBe(vectors.sha256[2]?.digest);
      });
    });

    describe("CRC-32", () => {
      for (const v of vectors.crc32) {
        it(`matches ${v.source}`, async () => {
          const p = await create();
          expect(p.crc32(vectorMessage(v))).toBe(Number.parseInt(v.crc, 16));
        });
      }

      it("of no parts is the CRC of the empty message", async () => {
        const p = await create();
        expect(p.crc32()).toBe(0);
      });

      it("crc32(a, b) equals crc32(a ‖ b), for any split into any number of parts", async () => {
        const p = await create();
        fc.assert(
          fc.property(bytes(2048), bytes(2048), fc.array(fc.nat(4096), { maxLength: 6 }), (a, b, cuts) => {
            const whole = p.crc32(concatBytes(a, b));
            expect(p.crc32(a, b)).toBe(whole);
            expect(p.crc32(...splitAt(concatBytes(a, b), cuts))).toBe(whole);
          }),
        );
      });

      it("an empty part (even a view into a used buffer) leaves the CRC unchanged", async () => {
        const p = await create();
        const backing = new Uint8Array(64).fill(7);
        const empty = backing.subarray(10, 10);
        const header = backing.subarray(0, 24);
        expect(p.crc32(header, empty)).toBe(p.crc32(header));
        expect(p.crc32(header, new Uint8Array(0))).toBe(p.crc32(header));
        expect(p.crc32(empty, header, empty)).toBe(p.crc32(header));
        const touched = new Uint8Array(0);
        void touched.buffer; // materialises the (empty) ArrayBuffer: Node 20's zlib.crc32 then returned 0
        expect(p.crc32(header, touched)).toBe(p.crc32(header));
      });

      it("returns an unsigned 32-bit integer and detects any single flipped bit", async () => {
        const p = await create();
        fc.assert(
          fc.property(fc.uint8Array({ minLength: 1, maxLength: 2048 }), fc.nat(), (data, bit) => {
            const crc = p.crc32(data);
            expect(Number.isInteger(crc) && crc >= 0 && crc <= 0xffff_ffff).toBe(true);
            const flipped = data.slice();
            const at = bit % (data.length * 8);
            flipped[at >> 3] = (flipped[at >> 3] ?? 0) ^ (1 << (at & 7));
            expect(p.crc32(flipped)).not.toBe(crc);
          }),
        );
      });
    });

    describe("AES-256-GCM", () => {
      it(`agrees with the ${wycheproofAes256Gcm.length} Wycheproof AES-256-GCM (96-bit nonce) vectors`, async () => {
        const p = await create();
        expect(wycheproofAes256Gcm.length).toBeGreaterThan(50);
        for (const t of wycheproofAes256Gcm) {
          const key = await p.importAesGcmKey(fromHex(t.key));
          const [nonce, aad, msg] = [fromHex(t.iv), fromHex(t.aad), fromHex(t.msg)];
          const sealed = fromHex(t.ct + t.tag);
          const opened = await key.decrypt(nonce, sealed, aad);
          if (t.result === "valid") {
            expect(toHex(await key.encrypt(nonce, msg, aad)), `tcId ${t.tcId}`).toBe(t.ct + t.tag);
            expect(opened && toHex(opened), `tcId ${t.tcId}`).toBe(t.msg);
          } else {
            expect(opened, `tcId ${t.tcId} (${t.comment})`).toBeUndefined();
          }
        }
      });

      it("decrypt(encrypt(m)) is m, with and without AAD, and the output is m plus a 16-byte tag", async () => {
        const p = await create();
        await fc.assert(
          fc.asyncProperty(key32, nonce12, bytes(4096), fc.option(bytes(64)), async (k, nonce, msg, aad) => {
            const key = await p.importAesGcmKey(k);
            const sealed = await key.encrypt(nonce, msg, aad ?? undefined);
            expect(sealed.length).toBe(msg.length + 16);
            expect(await key.decrypt(nonce, sealed, aad ?? undefined)).toEqual(msg);
          }),
          { numRuns: 50 },
        );
      });

      it("returns undefined (never throws) when any bit of ciphertext, tag, nonce or AAD changes", async () => {
        const p = await create();
        await fc.assert(
          fc.asyncProperty(key32, nonce12, bytes(256), bytes(32), fc.nat(), async (k, nonce, msg, aad, bit) => {
            const key = await p.importAesGcmKey(k);
            const sealed = await key.encrypt(nonce, msg, aad);
            const flip = (b: Uint8Array) => {
              const c = b.slice();
              const at = bit % (c.length * 8);
              c[at >> 3] = (c[at >> 3] ?? 0) ^ (1 << (at & 7));
              return c;
            };
            expect(await key.decrypt(nonce, flip(sealed), aad)).toBeUndefined();
            expect(await key.decrypt(flip(nonce), sealed, aad)).toBeUndefined();
            expect(await key.decrypt(nonce, sealed, concatBytes(aad, new Uint8Array([0])))).toBeUndefined();
            if (aad.length > 0) expect(await key.decrypt(nonce, sealed, flip(aad))).toBeUndefined();
          }),
          { numRuns: 30 },
        );
      });

      it("returns undefined for a different key and for input shorter than a tag", async () => {
        const p = await create();
        const nonce = new Uint8Array(12);
        const sealed = await (await p.importAesGcmKey(new Uint8Array(32).fill(1))).encrypt(nonce, new Uint8Array(5));
        const other = await p.importAesGcmKey(new Uint8Array(32).fill(2));
        expect(await other.decrypt(nonce, sealed)).toBeUndefined();
        expect(await other.decrypt(nonce, sealed.subarray(0, 15))).toBeUndefined();
        expect(await other.decrypt(nonce, new Uint8Array(0))).toBeUndefined();
      });

      it("keeps its own copy of the key: zeroing the caller's buffer after import changes nothing", async () => {
        const p = await create();
        const raw = new Uint8Array(32).fill(7);
        const key = await p.importAesGcmKey(raw);
        const nonce = new Uint8Array(12).fill(3);
        const before = await key.encrypt(nonce, new Uint8Array(40));
        raw.fill(0);
        expect(await key.encrypt(nonce, new Uint8Array(40))).toEqual(before);
        expect(await key.decrypt(nonce, before)).toEqual(new Uint8Array(40));
      });

      it("encrypts a view by its own bytes, not its whole underlying buffer", async () => {
        const p = await create();
        const key = await p.importAesGcmKey(new Uint8Array(32).fill(9));
        const nonce = new Uint8Array(12);
        const backing = new Uint8Array(64).map((_, i) => i);
        const view = backing.subarray(10, 30);
        const sealed = await key.encrypt(nonce.subarray(0), view);
        expect(sealed).toEqual(await key.encrypt(nonce, view.slice()));
        const sealedBacking = new Uint8Array(sealed.length + 8);
        sealedBacking.set(sealed, 4);
        expect(await key.decrypt(nonce, sealedBacking.subarray(4, 4 + sealed.length))).toEqual(view.slice());
      });

      it("throws RangeError for a key that is not 32 bytes", async () => {
        const p = await create();
        for (const n of [0, 16, 24, 31, 33]) {
          await expect(p.importAesGcmKey(new Uint8Array(n)), `${n}-byte key`).rejects.toThrow(RangeError);
        }
      });

      it("throws RangeError for a nonce that is not 12 bytes, on encrypt and on decrypt", async () => {
        const p = await create();
        const key = await p.importAesGcmKey(new Uint8Array(32));
        const sealed = await key.encrypt(new Uint8Array(12), new Uint8Array(4));
        for (const n of [0, 8, 11, 13, 16]) {
          await expect(key.encrypt(new Uint8Array(n), new Uint8Array(4)), `${n}-byte nonce`).rejects.toThrow(
            RangeError,
          );
          await expect(key.decrypt(new Uint8Array(n), sealed), `${n}-byte nonce`).rejects.toThrow(RangeError);
        }
      });
    });
  });
}
