import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import golden from "../../test-vectors/merkle-golden.json";
import { DIGEST_BYTES, leafHash, type MerkleProof, MerkleTree, nodeHash, verifyMerkleProof } from "./index.js";
import { rootFromAuditPath } from "./merkle-tree.js";

// ---------------------------------------------------------------------------------------------
// RFC 6962 §2.1 written out recursively, independent of the implementation under test: plain
// concatenation and one-shot SHA-256, the split at the largest power of two below n, and the
// audit path PATH(m, D[n]) of §2.1.1. Leaves are arbitrary byte strings here, so the same code
// also runs the Certificate Transparency vectors, whose leaves are not 32-byte digests.
// ---------------------------------------------------------------------------------------------

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const refLeaf = (data: Uint8Array): Uint8Array => sha256(concat(Uint8Array.of(0), data));
const refNode = (l: Uint8Array, r: Uint8Array): Uint8Array => sha256(concat(Uint8Array.of(1), l, r));

/** The largest power of two strictly less than n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) of RFC 6962 §2.1, for n >= 1. */
function refRoot(data: readonly Uint8Array[]): Uint8Array {
  if (data.length === 1) return refLeaf(data[0] as Uint8Array);
  const k = split(data.length);
  return refNode(refRoot(data.slice(0, k)), refRoot(data.slice(k)));
}

/** PATH(m, D[n]) of RFC 6962 §2.1.1, bottom-up. */
function refPath(m: number, data: readonly Uint8Array[]): Uint8Array[] {
  if (data.length === 1) return [];
  const k = split(data.length);
  return m < k
    ? [...refPath(m, data.slice(0, k)), refRoot(data.slice(k))]
    : [...refPath(m - k, data.slice(k)), refRoot(data.slice(0, k))];
}

/**
 * Which side each sibling of leaf m's audit path is on, bottom-up, in a tree of n leaves: the
 * shape that decides how a verifier combines the path. Same recursion as refPath.
 */
function refSides(m: number, n: number): string {
  if (n === 1) return "";
  const k = split(n);
  return m < k ? `${refSides(m, k)}R` : `${refSides(m - k, n - k)}L`;
}

/** d_i = SHA-256("chunk-<i>"), the chunk digests of the golden vectors. */
const chunkDigest = (i: number): Uint8Array => sha256(utf8ToBytes(`chunk-${i}`));
const DIGESTS: readonly Uint8Array[] = Array.from({ length: 2000 }, (_, i) => chunkDigest(i));
const digestsFor = (n: number): Uint8Array[] => DIGESTS.slice(0, n);

/** A copy of `bytes` with byte `at` XORed with `mask`. */
function xorAt(bytes: Uint8Array, at: number, mask: number): Uint8Array {
  const out = bytes.slice();
  out[at] = (out[at] ?? 0) ^ mask;
  return out;
}

const flipBit = (bytes: Uint8Array, bit: number): Uint8Array =>
  xorAt(bytes, Math.floor(bit / 8) % bytes.length, 1 << (bit % 8));

const hex = bytesToHex;

describe("reference implementation (the test's own RFC 6962)", () => {
  const ct = golden.rfc6962;
  const leaves = ct.leafData.map((h) => hexToBytes(h));

  it("reproduces the Certificate Transparency roots for 1..8 leaves", () => {
    for (let n = 1; n <= leaves.length; n++) {
      expect(hex(refRoot(leaves.slice(0, n))), `n = ${n}`).toBe(ct.roots[n - 1]);
    }
  });

  it("reproduces the Certificate Transparency audit paths", () => {
    for (const v of ct.inclusion) {
      expect(refPath(v.index, leaves.slice(0, v.leafCount)).map(hex)).toEqual(v.path);
    }
  });
});

describe("leafHash and nodeHash", () => {
  it("are SHA-256 over 0x00 || digest and 0x01 || left || right", () => {
    const [a, b] = digestsFor(2) as [Uint8Array, Uint8Array];
    expect(hex(leafHash(a))).toBe(hex(refLeaf(a)));
    expect(hex(nodeHash(a, b))).toBe(hex(refNode(a, b)));
    expect(DIGEST_BYTES).toBe(32);
  });

  it("reject inputs that are not 32-byte arrays", () => {
    expect(() => leafHash(new Uint8Array(31))).toThrow(RangeError);
    expect(() => leafHash([0] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => nodeHash(new Uint8Array(32), new Uint8Array(33))).toThrow(/nodeHash: right must be 32 bytes/);
    expect(() => nodeHash(new Uint8Array(0), new Uint8Array(32))).toThrow(/nodeHash: left/);
  });

  it("give the same answer on repeated and interleaved calls (no state leaks between hashes)", () => {
    const [a, b] = digestsFor(2) as [Uint8Array, Uint8Array];
    const first = hex(nodeHash(a, b));
    leafHash(b);
    expect(hex(nodeHash(a, b))).toBe(first);
    expect(hex(leafHash(a))).toBe(hex(refLeaf(a)));
  });
});

describe("MerkleTree golden vectors", () => {
  it("pins the roots in merkle-golden.json, which equal the RFC 6962 definition", () => {
    expect(golden.roots.map((v) => v.leafCount)).toEqual([1, 2, 3, 4, 5, 7, 8]);
    for (const { leafCount, root } of golden.roots) {
      const digests = digestsFor(leafCount);
      expect(hex(refRoot(digests)), `reference, n = ${leafCount}`).toBe(root);
      expect(hex(MerkleTree.fromDigests(digests).root), `tree, n = ${leafCount}`).toBe(root);
    }
  });

  it("pins the audit paths in merkle-golden.json", () => {
    for (const { leafCount, index, path } of golden.proofs) {
      const tree = MerkleTree.fromDigests(digestsFor(leafCount));
      const proof = tree.proof(index);
      expect(proof.path.map(hex)).toEqual(path);
      expect(proof.path.map(hex)).toEqual(refPath(index, digestsFor(leafCount)).map(hex));
    }
  });

  it("has root = leafHash(d0) for one leaf and an empty path", () => {
    const [d0] = digestsFor(1) as [Uint8Array];
    const tree = MerkleTree.fromDigests([d0]);
    expect(hex(tree.root)).toBe(hex(leafHash(d0)));
    expect(tree.proof(0)).toEqual({ index: 0, leafCount: 1, path: [] });
    expect(verifyMerkleProof(d0, tree.proof(0), tree.root)).toBe(true);
  });

  it("for 3 leaves, root = nodeHash(nodeHash(L0, L1), L2) (RFC 6962: split at 2, not at the midpoint)", () => {
    const [d0, d1, d2] = digestsFor(3) as [Uint8Array, Uint8Array, Uint8Array];
    const expected = nodeHash(nodeHash(leafHash(d0), leafHash(d1)), leafHash(d2));
    expect(hex(MerkleTree.fromDigests([d0, d1, d2]).root)).toBe(hex(expected));
    // ...and the unbalanced alternative is a different tree.
    expect(hex(expected)).not.toBe(hex(nodeHash(leafHash(d0), nodeHash(leafHash(d1), leafHash(d2)))));
  });

  it("an inner node cannot pass for a leaf (domain separation)", () => {
    const d = digestsFor(4);
    const l = d.map((x) => leafHash(x));
    const n01 = nodeHash(l[0] as Uint8Array, l[1] as Uint8Array);
    const n23 = nodeHash(l[2] as Uint8Array, l[3] as Uint8Array);
    const four = MerkleTree.fromDigests(d).root;
    // Without the 0x00/0x01 prefixes, a 2-leaf tree over the inner nodes would have the same root.
    expect(hex(MerkleTree.fromDigests([n01, n23]).root)).not.toBe(hex(four));
    expect(verifyMerkleProof(n01, { index: 0, leafCount: 2, path: [n23] }, four)).toBe(false);
  });
});

describe("MerkleTree shape and proofs against the reference", () => {
  it("matches refRoot and refPath for every leaf of every tree of 1..64 leaves", () => {
    for (let n = 1; n <= 64; n++) {
      const digests = digestsFor(n);
      const tree = MerkleTree.fromDigests(digests);
      expect(hex(tree.root), `n = ${n}`).toBe(hex(refRoot(digests)));
      expect(tree.leafCount).toBe(n);
      for (let i = 0; i < n; i++) {
        const proof = tree.proof(i);
        expect(proof.index).toBe(i);
        expect(proof.leafCount).toBe(n);
        expect(proof.path.map(hex), `n = ${n}, i = ${i}`).toEqual(refPath(i, digests).map(hex));
        expect(hex(tree.digest(i))).toBe(hex(digests[i] as Uint8Array));
      }
    }
  });

  it("runs the Certificate Transparency inclusion vectors through the RFC 9162 verifier", () => {
    const ct = golden.rfc6962;
    const leaves = ct.leafData.map((h) => hexToBytes(h));
    for (const v of ct.inclusion) {
      const leaf = refLeaf(leaves[v.index] as Uint8Array);
      const got = rootFromAuditPath(
        leaf,
        v.index,
        v.leafCount,
        v.path.map((h) => hexToBytes(h)),
      );
      expect(got && hex(got)).toBe(ct.roots[v.leafCount - 1]);
    }
  });

  it("the RFC 9162 verifier refuses a path longer or shorter than (index, leafCount) needs, not just its root", () => {
    const tree = MerkleTree.fromDigests(digestsFor(6));
    const leaf = leafHash(chunkDigest(4));
    const { path } = tree.proof(4);
    expect(rootFromAuditPath(leaf, 4, 6, path)?.length).toBe(32);
    expect(rootFromAuditPath(leaf, 4, 6, [...path, tree.root])).toBeUndefined();
    expect(rootFromAuditPath(leaf, 4, 6, path.slice(0, -1))).toBeUndefined();
    expect(rootFromAuditPath(leaf, 6, 6, path)).toBeUndefined();
  });

  it("copies: mutating the inputs or the returned arrays does not change the tree", () => {
    const digests = digestsFor(5).map((d) => d.slice());
    const tree = MerkleTree.fromDigests(digests);
    const root = hex(tree.root);
    (digests[0] as Uint8Array).fill(0);
    tree.root.fill(0);
    tree.digest(1).fill(0);
    (tree.proof(2).path[0] as Uint8Array).fill(0);
    expect(hex(tree.root)).toBe(root);
    expect(hex(tree.digest(0))).toBe(hex(chunkDigest(0)));
    expect(verifyMerkleProof(chunkDigest(2), tree.proof(2), tree.root)).toBe(true);
  });

  it("rejects no digests, wrong-size digests and bad indices with labelled errors", () => {
    expect(() => MerkleTree.fromDigests([])).toThrow(RangeError);
    expect(() => MerkleTree.fromDigests([new Uint8Array(32), new Uint8Array(16)])).toThrow(
      /chunkDigests\[1\] must be 32 bytes, got 16/,
    );
    expect(() => MerkleTree.fromDigests(["x"] as unknown as Uint8Array[])).toThrow(TypeError);
    const tree = MerkleTree.fromDigests(digestsFor(3));
    for (const bad of [-1, 3, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => tree.proof(bad), `proof(${bad})`).toThrow(RangeError);
      expect(() => tree.digest(bad), `digest(${bad})`).toThrow(RangeError);
    }
  });
});

describe("verifyMerkleProof (properties)", () => {
  const treeCache = new Map<number, MerkleTree>();
  const treeOf = (n: number): MerkleTree => {
    let t = treeCache.get(n);
    if (t === undefined) {
      t = MerkleTree.fromDigests(digestsFor(n));
      treeCache.set(n, t);
    }
    return t;
  };
  const sized = fc.integer({ min: 1, max: 2000 }).chain((n) => fc.record({ n: fc.constant(n), i: fc.nat(n - 1) }));

  it("every leaf's proof verifies, for trees of 1..2000 leaves", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), (n) => {
        const tree = treeOf(n);
        const root = tree.root;
        for (let i = 0; i < n; i++) {
          if (!verifyMerkleProof(DIGESTS[i] as Uint8Array, tree.proof(i), root)) return false;
        }
        return true;
      }),
      { numRuns: 25 },
    );
  });

  it("fails for any other leaf digest", () => {
    fc.assert(
      fc.property(sized, fc.uint8Array({ minLength: 32, maxLength: 32 }), ({ n, i }, other) => {
        fc.pre(hex(other) !== hex(DIGESTS[i] as Uint8Array));
        const tree = treeOf(n);
        expect(verifyMerkleProof(other, tree.proof(i), tree.root)).toBe(false);
        // Including another leaf of the same tree.
        const j = (i + 1) % n;
        if (j !== i) expect(verifyMerkleProof(DIGESTS[j] as Uint8Array, tree.proof(i), tree.root)).toBe(false);
      }),
    );
  });

  it("fails for any other index", () => {
    fc.assert(
      fc.property(
        sized.filter(({ n }) => n > 1),
        fc.integer({ min: -3, max: 2005 }),
        ({ n, i }, j) => {
          fc.pre(j !== i);
          const tree = treeOf(n);
          const proof = tree.proof(i);
          expect(verifyMerkleProof(DIGESTS[i] as Uint8Array, { ...proof, index: j }, tree.root)).toBe(false);
        },
      ),
    );
  });

  it("fails when any bit of any path element is flipped", () => {
    fc.assert(
      fc.property(
        sized.filter(({ n }) => n > 1),
        fc.nat(),
        fc.nat(255),
        ({ n, i }, which, bit) => {
          const tree = treeOf(n);
          const proof = tree.proof(i);
          const path = [...proof.path];
          const k = which % path.length;
          path[k] = flipBit(path[k] as Uint8Array, bit);
          expect(verifyMerkleProof(DIGESTS[i] as Uint8Array, { ...proof, path }, tree.root)).toBe(false);
        },
      ),
    );
  });

  it("fails for a truncated, extended or reordered path", () => {
    fc.assert(
      fc.property(sized, fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(), ({ n, i }, extra, at) => {
        const tree = treeOf(n);
        const proof = tree.proof(i);
        const d = DIGESTS[i] as Uint8Array;
        const root = tree.root;
        const p = proof.path;
        const cut = at % (p.length + 1);
        expect(verifyMerkleProof(d, { ...proof, path: [...p, extra] }, root)).toBe(false);
        expect(verifyMerkleProof(d, { ...proof, path: [extra, ...p] }, root)).toBe(false);
        expect(verifyMerkleProof(d, { ...proof, path: [...p.slice(0, cut), extra, ...p.slice(cut)] }, root)).toBe(
          false,
        );
        if (p.length > 0) {
          expect(verifyMerkleProof(d, { ...proof, path: p.slice(0, -1) }, root)).toBe(false);
          expect(verifyMerkleProof(d, { ...proof, path: p.slice(1) }, root)).toBe(false);
        }
        if (p.length > 1) {
          expect(verifyMerkleProof(d, { ...proof, path: [...p].reverse() }, root)).toBe(false);
        }
      }),
    );
  });

  it("fails for a different leafCount unless that size gives the leaf an audit path of the very same shape", () => {
    // RFC 6962 paths carry no size: a verifier combines them as (index, leafCount) dictate. Where
    // another size dictates exactly the same combinations (leaf 0 of 5 to 8 leaves: right,
    // right, right) the same root comes out, which is why leafCount must come from the manifest
    // that declares the root. Every other size must fail.
    let differentShapes = 0;
    fc.assert(
      fc.property(sized, fc.integer({ min: -2, max: 4100 }), ({ n, i }, m) => {
        fc.pre(m !== n);
        const tree = treeOf(n);
        const proof = tree.proof(i);
        const sameShape = m > i && refSides(i, m) === refSides(i, n);
        if (!sameShape) differentShapes++;
        expect(verifyMerkleProof(DIGESTS[i] as Uint8Array, { ...proof, leafCount: m }, tree.root)).toBe(sameShape);
      }),
      { numRuns: 300 },
    );
    expect(differentShapes).toBeGreaterThan(200);
  });

  it("the size-agnostic case is real: leaf 0's proof from 6 leaves also verifies as from 5, 7 or 8, not 4 or 9", () => {
    const tree = treeOf(6);
    const proof = tree.proof(0);
    const d0 = DIGESTS[0] as Uint8Array;
    for (const m of [5, 7, 8])
      expect(verifyMerkleProof(d0, { ...proof, leafCount: m }, tree.root), `m = ${m}`).toBe(true);
    for (const m of [4, 9])
      expect(verifyMerkleProof(d0, { ...proof, leafCount: m }, tree.root), `m = ${m}`).toBe(false);
  });
});

describe("verifyMerkleProof on malformed input", () => {
  const tree = MerkleTree.fromDigests(digestsFor(11));
  const d5 = chunkDigest(5);
  const good = tree.proof(5);
  const root = tree.root;

  it("accepts the good proof (the baseline the cases below break)", () => {
    expect(verifyMerkleProof(d5, good, root)).toBe(true);
  });

  const cases: Array<[string, unknown, unknown, unknown]> = [
    ["index >= leafCount", d5, { ...good, index: 11 }, root],
    ["index = leafCount = 0", d5, { index: 0, leafCount: 0, path: [] }, root],
    ["negative index", d5, { ...good, index: -1 }, root],
    ["fractional index", d5, { ...good, index: 5.5 }, root],
    ["NaN leafCount", d5, { ...good, leafCount: Number.NaN }, root],
    ["huge leafCount", d5, { ...good, leafCount: 2 ** 60 }, root],
    ["string index", d5, { ...good, index: "5" }, root],
    ["short path element", d5, { ...good, path: good.path.map((p, k) => (k === 1 ? p.subarray(1) : p)) }, root],
    [
      "long path element",
      d5,
      { ...good, path: good.path.map((p, k) => (k === 0 ? concat(p, Uint8Array.of(0)) : p)) },
      root,
    ],
    ["path element not bytes", d5, { ...good, path: good.path.map((p, k) => (k === 0 ? Array.from(p) : p)) }, root],
    ["path with a hole", d5, { ...good, path: [good.path[0], undefined, good.path[2], good.path[3]] }, root],
    ["path not an array", d5, { ...good, path: "abc" }, root],
    ["very long path", d5, { ...good, path: Array.from({ length: 10_000 }, () => new Uint8Array(32)) }, root],
    ["proof null", d5, null, root],
    ["digest 31 bytes", d5.subarray(1), good, root],
    ["digest not bytes", "d5", good, root],
    ["root 33 bytes", d5, good, concat(root, Uint8Array.of(0))],
    ["root missing", d5, good, undefined],
  ];
  for (const [name, digest, proof, r] of cases) {
    it(`returns false, without throwing, for: ${name}`, () => {
      expect(verifyMerkleProof(digest as Uint8Array, proof as MerkleProof, r as Uint8Array)).toBe(false);
    });
  }
});

describe("serialize / deserialize", () => {
  it("writes CYXM, version 1, leafCount, then the digests", () => {
    const digests = digestsFor(3);
    const bytes = MerkleTree.fromDigests(digests).serialize();
    expect(bytes.length).toBe(12 + 3 * 32);
    expect(hex(bytes.subarray(0, 12))).toBe("4359584d0000000100000003");
    expect(hex(bytes.subarray(12))).toBe(digests.map(hex).join(""));
  });

  it("round-trips any tree of 1..300 leaves of random digests", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 300 }),
        (digests) => {
          const tree = MerkleTree.fromDigests(digests);
          const bytes = tree.serialize();
          const back = MerkleTree.deserialize(bytes);
          if (!back.ok) throw new Error(back.error.message);
          expect(back.value.leafCount).toBe(digests.length);
          expect(hex(back.value.root)).toBe(hex(tree.root));
          expect(hex(back.value.serialize())).toBe(hex(bytes));
          const i = digests.length - 1;
          expect(back.value.proof(i).path.map(hex)).toEqual(tree.proof(i).path.map(hex));
        },
      ),
      { numRuns: 50 },
    );
  });

  it("reads from a view into a larger buffer, and does not alias it", () => {
    const bytes = MerkleTree.fromDigests(digestsFor(4)).serialize();
    const framed = concat(Uint8Array.of(9, 9, 9), bytes, Uint8Array.of(7));
    const view = framed.subarray(3, 3 + bytes.length);
    const back = MerkleTree.deserialize(view);
    expect(back.ok).toBe(true);
    framed.fill(0);
    if (back.ok) expect(hex(back.value.root)).toBe(golden.roots[3]?.root);
  });

  const valid = MerkleTree.fromDigests(digestsFor(5)).serialize();
  const expectManifestFailure = (bytes: Uint8Array, message?: RegExp): void => {
    const r = MerkleTree.deserialize(bytes);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe("CYXW_ERR_MANIFEST");
      if (message) expect(r.error.message).toMatch(message);
    }
  };

  it("names what is wrong: length, magic, version, leaf count", () => {
    expectManifestFailure(new Uint8Array(0), /shorter than its 12-byte header/);
    expectManifestFailure(valid.subarray(0, 11), /shorter than its 12-byte header/);
    expectManifestFailure(concat(utf8ToBytes("CYXW"), valid.subarray(4)), /magic "CYXM"/);
    expectManifestFailure(concat(valid.subarray(0, 7), Uint8Array.of(2), valid.subarray(8)), /format version 2/);
    expectManifestFailure(concat(valid.subarray(0, 8), new Uint8Array(4)), /declares 0 leaves/);
    expectManifestFailure(
      valid.subarray(0, valid.length - 1),
      /declares 5 leaves, which take 172 bytes, but it is 171/,
    );
    expectManifestFailure(concat(valid, new Uint8Array(32)), /declares 5 leaves/);
  });

  it("rejects a header claiming 2^32 - 1 leaves before allocating anything for them", () => {
    const header = concat(utf8ToBytes("CYXM"), Uint8Array.of(0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff), new Uint8Array(64));
    expectManifestFailure(header, /declares 4294967295 leaves/);
  });

  it("never throws on random bytes, and answers CYXW_ERR_MANIFEST", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        expectManifestFailure(bytes);
      }),
    );
  });

  it("never throws on random bytes that start with the magic and version", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (tail) => {
        const bytes = concat(valid.subarray(0, 8), tail);
        const r = MerkleTree.deserialize(bytes);
        // Only a tail that is exactly a leaf count and that many digests is a tree.
        const count = tail.length >= 4 ? new DataView(tail.buffer, tail.byteOffset).getUint32(0) : -1;
        expect(r.ok).toBe(count > 0 && tail.length === 4 + 32 * count);
        if (!r.ok) expect(r.error.code).toBe("CYXW_ERR_MANIFEST");
      }),
    );
  });

  it("rejects any change to the header, and any truncation or extension", () => {
    fc.assert(
      fc.property(fc.nat(11), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        expectManifestFailure(xorAt(valid, at, xor));
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: valid.length - 1 }), (len) => {
        expectManifestFailure(valid.subarray(0, len));
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), (extra) => {
        expectManifestFailure(concat(valid, extra));
      }),
    );
  });

  it("throws TypeError for a non-Uint8Array (a caller bug, not hostile data)", () => {
    expect(() => MerkleTree.deserialize("CYXM" as unknown as Uint8Array)).toThrow(TypeError);
  });
});
