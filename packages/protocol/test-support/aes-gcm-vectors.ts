/**
 * Published AES-256-GCM known answers, run against one `Primitives` implementation: every
 * Wycheproof aes_gcm_test.json case with a 256-bit key, 96-bit IV and 128-bit tag (the chunk
 * stream's parameters, seed §4.4 `AES256GCM`), the NIST CAVP cases in test-vectors/nist-gcm256.json,
 * and the Wycheproof cases with other sizes, which the Primitives API must refuse.
 */
import wycheproofAesGcm from "@vectors/wycheproof/aes_gcm_test.json";
import { describe, expect, it } from "vitest";
import type { Primitives } from "../src/primitives/primitives.js";
import nist from "../test-vectors/nist-gcm256.json";
import { fromHex, toHex } from "./primitives-contract.js";

const groups = wycheproofAesGcm.testGroups;
const supported = groups.filter((g) => g.keySize === 256 && g.ivSize === 96 && g.tagSize === 128);
const otherIvSizes = groups.filter((g) => g.keySize === 256 && g.ivSize !== 96);
const otherKeySizes = groups.filter((g) => g.keySize !== 256);

/**
 * Registers the AES-256-GCM vector suite for one implementation.
 *
 * @param label how the implementation appears in test names.
 * @param create makes a fresh instance.
 */
export function describeAesGcmVectors(label: string, create: () => Promise<Primitives>): void {
  describe(`AES-256-GCM published vectors: ${label}`, () => {
    const cases = supported.flatMap((g) => g.tests);

    it(`encrypts and decrypts every valid, and rejects every invalid, Wycheproof case (${cases.length} with 256-bit key, 96-bit IV, 128-bit tag)`, async () => {
      const p = await create();
      expect(cases.length).toBe(66);
      let valid = 0;
      let invalid = 0;
      for (const t of cases) {
        const key = await p.importAesGcmKey(fromHex(t.key));
        const [iv, aad, msg] = [fromHex(t.iv), fromHex(t.aad), fromHex(t.msg)];
        const opened = await key.decrypt(iv, fromHex(t.ct + t.tag), aad);
        if (t.result === "valid") {
          valid++;
          expect(toHex(await key.encrypt(iv, msg, aad)), `tcId ${t.tcId}`).toBe(t.ct + t.tag);
          expect(opened === undefined ? "rejected" : toHex(opened), `tcId ${t.tcId}`).toBe(t.msg);
        } else {
          invalid++;
          expect(opened, `tcId ${t.tcId} (${t.flags.join(",")}: ${t.comment})`).toBeUndefined();
        }
      }
      expect(valid + invalid).toBe(cases.length);
      expect(invalid).toBeGreaterThan(0);
    });

    for (const v of nist.cases) {
      const what = `${v.file} ${v.section} Count = ${v.count}${v.fail ? " (FAIL)" : ""}`;
      it(`NIST CAVP ${what}`, async () => {
        const p = await create();
        const key = await p.importAesGcmKey(fromHex(v.key));
        const [iv, aad] = [fromHex(v.iv), fromHex(v.aad)];
        const opened = await key.decrypt(iv, fromHex(v.ct + v.tag), aad);
        if (v.fail) {
          expect(opened).toBeUndefined();
        } else {
          expect(opened === undefined ? "rejected" : toHex(opened)).toBe(v.pt);
          expect(toHex(await key.encrypt(iv, fromHex(v.pt), aad))).toBe(v.ct + v.tag);
        }
      });
    }

    it("refuses, with RangeError, every Wycheproof AES-256-GCM case whose IV is not 96 bits", async () => {
      const p = await create();
      const tests = otherIvSizes.flatMap((g) => g.tests.map((t) => ({ ...t, ivSize: g.ivSize })));
      expect(new Set(tests.map((t) => t.ivSize)).size).toBeGreaterThan(5); // 0, 8, ..., 128, ..., 2056 bits
      for (const t of tests) {
        const key = await p.importAesGcmKey(fromHex(t.key));
        const [iv, aad] = [fromHex(t.iv), fromHex(t.aad)];
        await expect(key.encrypt(iv, fromHex(t.msg), aad), `tcId ${t.tcId}`).rejects.toThrow(RangeError);
        await expect(key.decrypt(iv, fromHex(t.ct + t.tag), aad), `tcId ${t.tcId}`).rejects.toThrow(RangeError);
      }
    });

    it("refuses, with RangeError, the 128- and 192-bit keys of Wycheproof's other groups", async () => {
      const p = await create();
      const sizes = new Set(otherKeySizes.map((g) => g.keySize));
      expect([...sizes].sort()).toEqual([128, 192]);
      for (const g of otherKeySizes) {
        const t = g.tests[0];
        if (t === undefined) continue;
        await expect(p.importAesGcmKey(fromHex(t.key)), `${g.keySize}-bit key`).rejects.toThrow(RangeError);
      }
    });

    it("has no tag size but 128 bits: a tag cut to 96 or 120 bits does not authenticate", async () => {
      // The Primitives API fixes the tag at 16 bytes (seed §4.4 TAG_SIZE), so a shorter tag is not
      // a parameter to refuse with RangeError: it is a sealed input that fails to open.
      const p = await create();
      const t = cases.find((c) => c.result === "valid" && c.msg.length > 0);
      if (t === undefined) throw new Error("no valid Wycheproof case with a message");
      const key = await p.importAesGcmKey(fromHex(t.key));
      for (const tagBytes of [12, 15]) {
        const sealed = fromHex(t.ct + t.tag.slice(0, 2 * tagBytes));
        expect(await key.decrypt(fromHex(t.iv), sealed, fromHex(t.aad)), `${tagBytes * 8}-bit tag`).toBeUndefined();
      }
    });
  });
}
