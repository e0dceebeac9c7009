import { x25519 } from "@noble/curves/ed25519.js";
import wycheproofHkdf from "@vectors/wycheproof/hkdf_sha256_test.json";
import wycheproofX25519 from "@vectors/wycheproof/x25519_test.json";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../test-support/primitives-contract.js";
import rfc5869 from "../../test-vectors/rfc5869-hkdf-sha256.json";
import rfc7748 from "../../test-vectors/rfc7748-x25519.json";
import {
  generateX25519KeyPair,
  hkdfSha256,
  KEY_WRAP_INFO,
  x25519PublicKey,
  x25519SharedSecret,
} from "./key-agreement.js";

const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe("X25519 (RFC 7748)", () => {
  for (const v of rfc7748.scalarMult) {
    it(`${v.section}: X25519(scalar, u) is the published output`, () => {
      const shared = x25519SharedSecret(fromHex(v.scalar), fromHex(v.u));
      expect(shared.ok && toHex(shared.value)).toBe(v.output);
    });
  }

  for (const v of rfc7748.iterated) {
    it(`${v.section}`, () => {
      // The RFC's loop: k, u := X25519(k, u), k. Only 1 and 1,000 iterations (not 1,000,000).
      let [k, u] = [fromHex(`09${"00".repeat(31)}`), fromHex(`09${"00".repeat(31)}`)];
      for (let i = 0; i < v.iterations; i++) {
        const r = x25519SharedSecret(k, u);
        if (!r.ok) throw new Error(r.error.message);
        [k, u] = [r.value, k];
      }
      expect(toHex(k)).toBe(v.output);
    });
  }

  it("RFC 7748 §6.1: Alice's and Bob's public keys, and the same shared secret from both sides", () => {
    const d = rfc7748.diffieHellman;
    expect(toHex(x25519.getPublicKey(fromHex(d.alicePrivate)))).toBe(d.alicePublic);
    expect(toHex(x25519.getPublicKey(fromHex(d.bobPrivate)))).toBe(d.bobPublic);
    const a = x25519SharedSecret(fromHex(d.alicePrivate), fromHex(d.bobPublic));
    const b = x25519SharedSecret(fromHex(d.bobPrivate), fromHex(d.alicePublic));
    expect(a.ok && toHex(a.value)).toBe(d.shared);
    expect(b.ok && toHex(b.value)).toBe(d.shared);
  });

  // Wycheproof has no "invalid" X25519 case; "acceptable" ones are edge cases an implementation
  // may accept or refuse. Per flag, what this one does:
  //  - ZeroSharedSecret (every LowOrderPublic case carries it): refused, CYXW_ERR_BAD_KEY, since the
  //    all-zero secret is known to anyone (RFC 7748 §6.1 allows the check, and we make it).
  //  - Twist, NonCanonicalPublic, SmallPublicKey without ZeroSharedSecret, EdgeCase*, Ktv:
  //    accepted with the published shared secret, as RFC 7748 §5 requires (mask the top bit,
  //    reduce non-canonical u).
  const cases = wycheproofX25519.testGroups.flatMap((g) => g.tests);
  it(`agrees with all ${cases.length} Wycheproof x25519_test.json cases`, () => {
    expect(cases.length).toBe(518);
    const seen = { matched: 0, refused: 0 };
    for (const t of cases) {
      const r = x25519SharedSecret(fromHex(t.private), fromHex(t.public));
      const label = `tcId ${t.tcId} (${t.result} ${t.flags.join(",")})`;
      expect(t.result, label).not.toBe("invalid");
      if (t.flags.includes("ZeroSharedSecret")) {
        expect(t.shared, label).toBe("00".repeat(32));
        expect(r.ok ? "accepted" : r.error.code, label).toBe("CYXW_ERR_BAD_KEY");
        seen.refused++;
      } else {
        expect(r.ok ? toHex(r.value) : r.error.message, label).toBe(t.shared);
        seen.matched++;
      }
    }
    expect(seen).toEqual({ matched: 487, refused: 31 });
    // Every low-order public key was refused, not only the ones whose secret came out zero.
    expect(cases.filter((t) => t.flags.includes("LowOrderPublic") && !t.flags.includes("ZeroSharedSecret"))).toEqual(
      [],
    );
  });

  it("refuses the all-zero public key (the simplest low-order point) with CYXW_ERR_BAD_KEY", () => {
    const r = x25519SharedSecret(generateX25519KeyPair().secretKey, new Uint8Array(32));
    expect(r.ok ? "accepted" : r.error.code).toBe("CYXW_ERR_BAD_KEY");
  });

  it("throws RangeError for a key that is not 32 bytes, TypeError for a non-Uint8Array", () => {
    const k = generateX25519KeyPair();
    for (const n of [0, 31, 33, 64]) {
      expect(() => x25519SharedSecret(new Uint8Array(n), k.publicKey), `${n}-byte secret`).toThrow(RangeError);
      expect(() => x25519SharedSecret(k.secretKey, new Uint8Array(n)), `${n}-byte public`).toThrow(RangeError);
    }
    expect(() => x25519SharedSecret([...k.secretKey] as unknown as Uint8Array, k.publicKey)).toThrow(TypeError);
  });

  it("generated key pairs agree on one shared secret, and differ from each other", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const [a, b] = [generateX25519KeyPair(), generateX25519KeyPair()];
      expect(a.secretKey.length).toBe(32);
      expect(toHex(x25519.getPublicKey(a.secretKey))).toBe(toHex(a.publicKey));
      const [ab, ba] = [x25519SharedSecret(a.secretKey, b.publicKey), x25519SharedSecret(b.secretKey, a.publicKey)];
      expect(ab.ok && ba.ok && toHex(ab.value) === toHex(ba.value)).toBe(true);
      seen.add(toHex(a.publicKey));
    }
    expect(seen.size).toBe(20);
  });
});

describe("HKDF-SHA256 (RFC 5869)", () => {
  for (const v of rfc5869.tests) {
    it(`RFC 5869 ${v.name}`, () => {
      expect(toHex(hkdfSha256(fromHex(v.ikm), fromHex(v.salt), fromHex(v.info), v.length))).toBe(v.okm);
    });
  }

  const cases = wycheproofHkdf.testGroups.flatMap((g) => g.tests);
  it(`agrees with all ${cases.length} Wycheproof hkdf_sha256_test.json cases (invalid: output too long, refused)`, () => {
    expect(cases.length).toBe(86);
    let refused = 0;
    for (const t of cases) {
      const derive = () => hkdfSha256(fromHex(t.ikm), fromHex(t.salt), fromHex(t.info), t.size);
      if (t.result === "valid") {
        expect(toHex(derive()), `tcId ${t.tcId}`).toBe(t.okm);
      } else {
        expect(t.flags, `tcId ${t.tcId}`).toContain("SizeTooLarge");
        expect(derive, `tcId ${t.tcId}`).toThrow(RangeError);
        refused++;
      }
    }
    expect(refused).toBe(3);
  });

  it("encodes a string info as UTF-8", () => {
    const ikm = new Uint8Array(32).fill(1);
    const salt = new Uint8Array(16).fill(2);
    expect(hkdfSha256(ikm, salt, KEY_WRAP_INFO, 32)).toEqual(
      hkdfSha256(ikm, salt, new TextEncoder().encode("cyxwiz-data-transfer"), 32),
    );
    expect(hkdfSha256(ikm, salt, "é", 16)).toEqual(hkdfSha256(ikm, salt, Uint8Array.of(0xc3, 0xa9), 16));
  });

  it("gives a prefix of the longer output for a shorter length, and depends on every input", () => {
    fc.assert(
      fc.property(
        key32,
        fc.uint8Array({ maxLength: 32 }),
        fc.string(),
        fc.integer({ min: 1, max: 100 }),
        (ikm, salt, info, n) => {
          const long = hkdfSha256(ikm, salt, info, 100);
          expect(hkdfSha256(ikm, salt, info, n)).toEqual(long.subarray(0, n));
          expect(hkdfSha256(ikm, salt, `${info}x`, 100)).not.toEqual(long);
          const ikm2 = ikm.slice();
          ikm2[0] = (ikm2[0] ?? 0) ^ 1;
          expect(hkdfSha256(ikm2, salt, info, 100)).not.toEqual(long);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("throws RangeError for a length outside 0..8160", () => {
    const ikm = new Uint8Array(32);
    expect(hkdfSha256(ikm, new Uint8Array(0), "", 0)).toEqual(new Uint8Array(0));
    expect(hkdfSha256(ikm, new Uint8Array(0), "", 8160).length).toBe(8160);
    for (const n of [-1, 8161, 1.5, Number.NaN]) {
      expect(() => hkdfSha256(ikm, new Uint8Array(0), "", n), `length ${n}`).toThrow(RangeError);
    }
  });
});

describe("x25519PublicKey", () => {
  it("reloads the public key of a stored secret key", () => {
    const pair = generateX25519KeyPair();
    expect(x25519PublicKey(pair.secretKey)).toEqual(pair.publicKey);
    expect(() => x25519PublicKey(new Uint8Array(31))).toThrow(RangeError);
  });
});
