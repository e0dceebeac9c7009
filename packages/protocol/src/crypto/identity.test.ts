import wycheproofEd25519 from "@vectors/wycheproof/ed25519_test.json";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../test-support/primitives-contract.js";
import rfc8032 from "../../test-vectors/rfc8032-ed25519.json";
import {
  generateIdentity,
  identityFromSeed,
  parseIdentity,
  serializeIdentity,
  signMessage,
  verifySignature,
} from "./identity.js";

describe("Ed25519 (RFC 8032)", () => {
  for (const v of rfc8032.tests) {
    it(`RFC 8032 §7.1 ${v.name}: public key, exact signature, and it verifies`, () => {
      const id = identityFromSeed(fromHex(v.secretKey));
      expect(toHex(id.publicKey)).toBe(v.publicKey);
      expect(toHex(signMessage(id, fromHex(v.message)))).toBe(v.signature);
      expect(verifySignature(fromHex(v.publicKey), fromHex(v.message), fromHex(v.signature))).toBe(true);
    });
  }

  const groups = wycheproofEd25519.testGroups;
  const total = groups.reduce((n, g) => n + g.tests.length, 0);
  it(`verifies exactly the valid ones among all ${total} Wycheproof ed25519_test.json cases`, () => {
    expect(total).toBe(151);
    const outcome = { valid: 0, invalid: 0 };
    for (const g of groups) {
      const publicKey = fromHex(g.publicKey.pk);
      for (const t of g.tests) {
        const label = `tcId ${t.tcId} (${t.flags.join(",")}: ${t.comment})`;
        expect(verifySignature(publicKey, fromHex(t.msg), fromHex(t.sig)), label).toBe(t.result === "valid");
        outcome[t.result === "valid" ? "valid" : "invalid"]++;
      }
    }
    // Among the invalid: s + nL (malleability), non-canonical R and A, truncated and padded signatures.
    expect(outcome).toEqual({ valid: 88, invalid: 63 });
  });

  it("rejects the malleable twin (S + L) of a valid signature", () => {
    const v = rfc8032.tests[0];
    if (v === undefined) throw new Error("no RFC 8032 vector");
    const sig = fromHex(v.signature);
    // L = 2^252 + 27742317777372353535851937790883648493, little-endian, added to S.
    const L = fromHex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
    let carry = 0;
    for (let i = 0; i < 32; i++) {
      const s = (sig[32 + i] ?? 0) + (L[i] ?? 0) + carry;
      sig[32 + i] = s & 0xff;
      carry = s >> 8;
    }
    expect(carry).toBe(0);
    expect(verifySignature(fromHex(v.publicKey), fromHex(v.message), sig)).toBe(false);
  });

  it("returns false, never throws, for malformed input", () => {
    const id = generateIdentity();
    const msg = new Uint8Array([1, 2, 3]);
    const sig = signMessage(id, msg);
    expect(verifySignature(id.publicKey, msg, sig)).toBe(true);
    for (const n of [0, 31, 33]) expect(verifySignature(new Uint8Array(n), msg, sig), `${n}-byte key`).toBe(false);
    for (const n of [0, 63, 65])
      expect(verifySignature(id.publicKey, msg, new Uint8Array(n)), `${n}-byte sig`).toBe(false);
    const bad = (x: unknown) => x as Uint8Array;
    expect(verifySignature(bad(undefined), msg, sig)).toBe(false);
    expect(verifySignature(id.publicKey, bad("abc"), sig)).toBe(false);
    expect(verifySignature(id.publicKey, msg, bad([...sig]))).toBe(false);
    expect(verifySignature(new Uint8Array(32).fill(0xff), msg, sig)).toBe(false); // not a point
  });

  it("a signature verifies for its own message and key only", () => {
    const [a, b] = [generateIdentity(), generateIdentity()];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), fc.nat(), (msg, bit) => {
        const sig = signMessage(a, msg);
        expect(verifySignature(a.publicKey, msg, sig)).toBe(true);
        expect(verifySignature(b.publicKey, msg, sig)).toBe(false);
        const flipped = sig.slice();
        flipped[(bit >> 3) % 64] = (flipped[(bit >> 3) % 64] ?? 0) ^ (1 << (bit & 7));
        expect(verifySignature(a.publicKey, msg, flipped)).toBe(false);
        expect(verifySignature(a.publicKey, Uint8Array.of(...msg, 0), sig)).toBe(false);
      }),
      { numRuns: 30 },
    );
  });
});

describe("identities", () => {
  it("generates distinct identities whose public key is the seed's", () => {
    const [a, b] = [generateIdentity(), generateIdentity()];
    expect(a.secretKey.length).toBe(32);
    expect(a.publicKey.length).toBe(32);
    expect(toHex(identityFromSeed(a.secretKey).publicKey)).toBe(toHex(a.publicKey));
    expect(toHex(a.publicKey)).not.toBe(toHex(b.publicKey));
  });

  it("identityFromSeed keeps its own copy and refuses a seed that is not 32 bytes", () => {
    const seed = new Uint8Array(32).fill(5);
    const id = identityFromSeed(seed);
    seed.fill(0);
    expect(id.secretKey).toEqual(new Uint8Array(32).fill(5));
    for (const n of [0, 31, 33, 64]) expect(() => identityFromSeed(new Uint8Array(n))).toThrow(RangeError);
  });

  it("serializes to the documented JSON and parses back to the same identity", () => {
    const id = identityFromSeed(fromHex(rfc8032.tests[0]?.secretKey ?? ""));
    const text = serializeIdentity(id);
    expect(JSON.parse(text)).toEqual({
      kind: "cyxwiz-ed25519-identity",
      version: 1,
      publicKey: toHex(id.publicKey),
      secretKey: toHex(id.secretKey),
    });
    const back = parseIdentity(text);
    expect(back.ok && toHex(back.value.secretKey)).toBe(toHex(id.secretKey));
    expect(back.ok && toHex(back.value.publicKey)).toBe(toHex(id.publicKey));
    const msg = new Uint8Array([9, 9]);
    expect(back.ok && verifySignature(id.publicKey, msg, signMessage(back.value, msg))).toBe(true);
  });

  it("refuses with CYXW_ERR_BAD_KEY a public key that does not match the seed, and malformed text", () => {
    const [a, b] = [generateIdentity(), generateIdentity()];
    const good = JSON.parse(serializeIdentity(a)) as Record<string, unknown>;
    const variants: unknown[] = [
      { ...good, publicKey: toHex(b.publicKey) },
      { ...good, kind: "other" },
      { ...good, version: 2 },
      { ...good, secretKey: (good.secretKey as string).toUpperCase() },
      { ...good, secretKey: (good.secretKey as string).slice(2) },
      { ...good, publicKey: undefined },
      [],
      null,
      "text",
    ];
    for (const v of variants) {
      const r = parseIdentity(JSON.stringify(v));
      expect(r.ok ? "accepted" : r.error.code, JSON.stringify(v)).toBe("CYXW_ERR_BAD_KEY");
    }
    const notJson = parseIdentity("{not json");
    expect(notJson.ok ? "accepted" : notJson.error.code).toBe("CYXW_ERR_BAD_KEY");
  });
});
