import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytes, describePrimitivesContract, splitAt, toHex } from "../../test-support/primitives-contract.js";
import { createNodePrimitives } from "./node-primitives.js";
import { createWebPrimitives } from "./web-primitives.js";

describePrimitivesContract("node (node:crypto + zlib)", () => createNodePrimitives(), "node");

/**
 * Data hashed or sealed in a browser is verified and opened by the gateway and daemons in Node
 * (seed §4.2, §4.4), so all implementations must produce byte-identical outputs.
 */
describe("node and web implementations agree", () => {
  const all = async () =>
    Promise.all([createNodePrimitives(), createWebPrimitives(), createWebPrimitives({ forceFallback: true })]);

  it("on SHA-256, one-shot and incremental, for random inputs", async () => {
    const impls = await all();
    await fc.assert(
      fc.asyncProperty(bytes(8192), fc.array(fc.nat(8192), { maxLength: 6 }), async (data, cuts) => {
        const digests: string[] = [];
        for (const p of impls) {
          digests.push(toHex(await p.sha256(data)));
          const h = await p.createSha256();
          for (const piece of splitAt(data, cuts)) h.update(piece);
          digests.push(toHex(h.digest()));
        }
        expect(new Set(digests).size).toBe(1);
      }),
    );
  });

  it("on CRC-32 for random inputs split into random parts", async () => {
    const impls = await all();
    fc.assert(
      fc.property(bytes(8192), fc.array(fc.nat(8192), { maxLength: 6 }), (data, cuts) => {
        const parts = splitAt(data, cuts);
        const crcs = impls.map((p) => p.crc32(...parts));
        expect(new Set(crcs).size).toBe(1);
      }),
    );
  });

  it("on AES-256-GCM: identical ciphertexts, and each opens what the others sealed", async () => {
    const impls = await all();
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        bytes(4096),
        fc.option(bytes(64)),
        async (k, nonce, msg, aadOrNull) => {
          const aad = aadOrNull ?? undefined;
          const keys = await Promise.all(impls.map((p) => p.importAesGcmKey(k)));
          const sealed = await Promise.all(keys.map((key) => key.encrypt(nonce, msg, aad)));
          expect(new Set(sealed.map(toHex)).size).toBe(1);
          for (const key of keys) {
            for (const s of sealed) expect(await key.decrypt(nonce, s, aad)).toEqual(msg);
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});
