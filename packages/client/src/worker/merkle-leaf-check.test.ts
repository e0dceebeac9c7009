import { MerkleTree } from "@cyxwiz/protocol/merkle";
import { describe, expect, it } from "vitest";
import { leafCountShapes, leafProofHolds } from "./merkle-leaf-check.js";

const digest = (n: number) => Uint8Array.from({ length: 32 }, (_, k) => (n * 31 + k * 7) & 0xff);

describe("leafProofHolds (a chunk's proof without the tree size)", () => {
  it("accepts every leaf's proof of every tree of 1 to 40 leaves", () => {
    for (let n = 1; n <= 40; n++) {
      const digests = Array.from({ length: n }, (_, i) => digest(i));
      const tree = MerkleTree.fromDigests(digests);
      for (let i = 0; i < n; i++) expect(leafProofHolds(digests[i]!, i, tree.proof(i).path, tree.root)).toBe(true);
    }
  });

  it("refuses another chunk's digest, a wrong root and a shortened path", () => {
    const digests = Array.from({ length: 13 }, (_, i) => digest(i));
    const tree = MerkleTree.fromDigests(digests);
    const path = tree.proof(5).path;
    expect(leafProofHolds(digests[6]!, 5, path, tree.root)).toBe(false);
    expect(leafProofHolds(digests[5]!, 5, path, digest(99))).toBe(false);
    expect(leafProofHolds(digests[5]!, 5, path.slice(1), tree.root)).toBe(false);
  });

  it("tries few sizes: at most one per bit of a chunk index", () => {
    expect(leafCountShapes(0)).toContain(1);
    expect(leafCountShapes(0xffff_fffe).length).toBeLessThanOrEqual(34);
    for (const n of leafCountShapes(6)) expect(n).toBeGreaterThan(6);
  });
});
