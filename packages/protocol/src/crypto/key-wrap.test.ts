import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { toHex } from "../../test-support/primitives-contract.js";
import { isProtocolError } from "../errors/error-codes.js";
import { type WrappedKey, WrappedKeySchema } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import { createWebPrimitives } from "../primitives/web-primitives.js";
import { generateX25519KeyPair } from "./key-agreement.js";
import { generateDatasetKey, unwrapDatasetKey, wrapDatasetKey } from "./key-wrap.js";

const primitives = createWebPrimitives();

function codeOf(r: { ok: true } | { ok: false; error: { code: string } }): string {
  return r.ok ? "unwrapped" : r.error.code;
}

describe("dataset key wrap (X25519 + HKDF-SHA256 + AES-256-GCM)", () => {
  it("generates distinct 32-byte dataset keys", () => {
    const keys = new Set(Array.from({ length: 50 }, () => toHex(generateDatasetKey())));
    expect(keys.size).toBe(50);
    for (const k of keys) expect(k).toHaveLength(64);
  });

  it("round-trips, also through the protobuf encoding, with a 48-byte ciphertext and 12-byte nonce", async () => {
    const p = await primitives;
    const recipient = generateX25519KeyPair();
    const datasetKey = generateDatasetKey();
    const wrapped = await wrapDatasetKey(p, datasetKey, recipient.publicKey);
    expect(wrapped.ciphertext.length).toBe(48);
    expect(wrapped.nonce.length).toBe(12);
    expect(wrapped.ephemeralPublicKey.length).toBe(32);
    expect(toHex(wrapped.recipientPublicKey)).toBe(toHex(recipient.publicKey));
    expect(toHex(wrapped.ciphertext)).not.toContain(toHex(datasetKey));
    const decoded = fromBinary(WrappedKeySchema, toBinary(WrappedKeySchema, wrapped));
    const r = await unwrapDatasetKey(p, decoded, recipient.secretKey);
    expect(r.ok && toHex(r.value)).toBe(toHex(datasetKey));
  });

  it("gives unrelated outputs when the same key is wrapped twice for the same recipient", async () => {
    const p = await primitives;
    const recipient = generateX25519KeyPair();
    const datasetKey = generateDatasetKey();
    const [a, b] = [
      await wrapDatasetKey(p, datasetKey, recipient.publicKey),
      await wrapDatasetKey(p, datasetKey, recipient.publicKey),
    ];
    expect(toHex(a.ephemeralPublicKey)).not.toBe(toHex(b.ephemeralPublicKey));
    expect(toHex(a.ciphertext)).not.toBe(toHex(b.ciphertext));
  });

  it("does not unwrap with another recipient's secret key (CYXW_ERR_KEY_UNWRAP)", async () => {
    const p = await primitives;
    const [alice, eve] = [generateX25519KeyPair(), generateX25519KeyPair()];
    const wrapped = await wrapDatasetKey(p, generateDatasetKey(), alice.publicKey);
    expect(codeOf(await unwrapDatasetKey(p, wrapped, eve.secretKey))).toBe("CYXW_ERR_KEY_UNWRAP");
    // Relabelling it for Eve does not help: the AAD and the KDF salt bind Alice's public key.
    const relabelled = create(WrappedKeySchema, { ...wrapped, recipientPublicKey: eve.publicKey });
    expect(codeOf(await unwrapDatasetKey(p, relabelled, eve.secretKey))).toBe("CYXW_ERR_KEY_UNWRAP");
  });

  it("fails for every flipped bit of the ciphertext, nonce, ephemeral key and recipient key", async () => {
    const p = await primitives;
    const recipient = generateX25519KeyPair();
    const wrapped = await wrapDatasetKey(p, generateDatasetKey(), recipient.publicKey);
    const fields = ["ciphertext", "nonce", "ephemeralPublicKey", "recipientPublicKey"] as const;
    let tried = 0;
    for (const field of fields) {
      const value = wrapped[field];
      for (let bit = 0; bit < value.length * 8; bit++) {
        const flipped = value.slice();
        flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        const altered: WrappedKey = create(WrappedKeySchema, { ...wrapped, [field]: flipped });
        const code = codeOf(await unwrapDatasetKey(p, altered, recipient.secretKey));
        // Flipping the ephemeral key's top bit is a no-op for X25519 (RFC 7748 masks it) but not
        // for the AAD, so it fails too. A flip that lands on a low-order point reports BAD_KEY.
        expect(["CYXW_ERR_KEY_UNWRAP", "CYXW_ERR_BAD_KEY"], `${field} bit ${bit}`).toContain(code);
        tried++;
      }
    }
    expect(tried).toBe((48 + 12 + 32 + 32) * 8);
  });

  it("reports a low-order or malformed ephemeral key as CYXW_ERR_BAD_KEY, a malformed wrap as CYXW_ERR_KEY_UNWRAP", async () => {
    const p = await primitives;
    const recipient = generateX25519KeyPair();
    const wrapped = await wrapDatasetKey(p, generateDatasetKey(), recipient.publicKey);
    const lowOrder = [new Uint8Array(32), Uint8Array.of(1, ...new Uint8Array(31))];
    for (const ephemeralPublicKey of [...lowOrder, new Uint8Array(31)]) {
      const r = await unwrapDatasetKey(
        p,
        create(WrappedKeySchema, { ...wrapped, ephemeralPublicKey }),
        recipient.secretKey,
      );
      expect(codeOf(r)).toBe("CYXW_ERR_BAD_KEY");
    }
    for (const change of [{ nonce: new Uint8Array(11) }, { ciphertext: wrapped.ciphertext.subarray(0, 47) }]) {
      const r = await unwrapDatasetKey(p, create(WrappedKeySchema, { ...wrapped, ...change }), recipient.secretKey);
      expect(codeOf(r)).toBe("CYXW_ERR_KEY_UNWRAP");
    }
  });

  it("refuses to wrap for a low-order public key (ProtocolError CYXW_ERR_BAD_KEY) and checks lengths (RangeError)", async () => {
    const p = await primitives;
    const error = await wrapDatasetKey(p, generateDatasetKey(), new Uint8Array(32)).catch((e: unknown) => e);
    expect(isProtocolError(error) && error.code).toBe("CYXW_ERR_BAD_KEY");
    const recipient = generateX25519KeyPair();
    await expect(wrapDatasetKey(p, new Uint8Array(16), recipient.publicKey)).rejects.toThrow(RangeError);
    await expect(wrapDatasetKey(p, generateDatasetKey(), new Uint8Array(33))).rejects.toThrow(RangeError);
    const wrapped = await wrapDatasetKey(p, generateDatasetKey(), recipient.publicKey);
    await expect(unwrapDatasetKey(p, wrapped, new Uint8Array(31))).rejects.toThrow(RangeError);
  });
});
