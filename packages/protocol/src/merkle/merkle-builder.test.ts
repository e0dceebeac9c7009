import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import golden from "../../test-vectors/merkle-golden.json";
import { createMerkleBuilder, leafHash, MerkleTree } from "./index.js";

const chunkDigest = (i: number): Uint8Array => sha256(utf8ToBytes(`chunk-${i}`));
const DIGESTS: readonly Uint8Array[] = Array.from({ length: 300 }, (_, i) => chunkDigest(i));

describe("createMerkleBuilder", () => {
  it("gives MerkleTree.fromDigests' root for every leaf count 1..300, asked after each append", () => {
    const builder = createMerkleBuilder();
    for (let n = 1; n <= DIGESTS.length; n++) {
      builder.append(DIGESTS[n - 1] as Uint8Array);
      expect(builder.leafCount).toBe(n);
      // root() does not end the builder: asking after every append is part of the test.
      expect(bytesToHex(builder.root()), `n = ${n}`).toBe(bytesToHex(MerkleTree.fromDigests(DIGESTS.slice(0, n)).root));
    }
  });

  it("gives the golden roots", () => {
    for (const { leafCount, root } of golden.roots) {
      const builder = createMerkleBuilder();
      for (const d of DIGESTS.slice(0, leafCount)) builder.append(d);
      expect(bytesToHex(builder.root()), `n = ${leafCount}`).toBe(root);
    }
  });

  it("agrees with MerkleTree on random digests", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 200 }), (ds) => {
        const builder = createMerkleBuilder();
        for (const d of ds) builder.append(d);
        expect(bytesToHex(builder.root())).toBe(bytesToHex(MerkleTree.fromDigests(ds).root));
      }),
      { numRuns: 50 },
    );
  });

  it("returns a root the caller may modify, and the same root when asked twice", () => {
    const builder = createMerkleBuilder();
    builder.append(DIGESTS[0] as Uint8Array);
    const first = builder.root();
    expect(bytesToHex(first)).toBe(bytesToHex(leafHash(DIGESTS[0] as Uint8Array)));
    first.fill(0);
    expect(bytesToHex(builder.root())).toBe(bytesToHex(leafHash(DIGESTS[0] as Uint8Array)));
  });

  it("keeps no reference to the appended arrays", () => {
    const builder = createMerkleBuilder();
    const copies = DIGESTS.slice(0, 3).map((d) => d.slice());
    for (const d of copies) builder.append(d);
    for (const d of copies) d.fill(0);
    expect(bytesToHex(builder.root())).toBe(bytesToHex(MerkleTree.fromDigests(DIGESTS.slice(0, 3)).root));
  });

  it("throws RangeError for root() before any append, and for a digest that is not 32 bytes", () => {
    const builder = createMerkleBuilder();
    expect(() => builder.root()).toThrow(RangeError);
    expect(() => builder.append(new Uint8Array(31))).toThrow(
      /MerkleBuilder.append: chunkDigest must be 32 bytes, got 31/,
    );
    expect(() => builder.append("digest" as unknown as Uint8Array)).toThrow(TypeError);
    // A rejected digest is not counted.
    expect(builder.leafCount).toBe(0);
  });
});
