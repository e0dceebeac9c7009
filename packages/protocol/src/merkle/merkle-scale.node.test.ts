import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createMerkleBuilder, MerkleTree, verifyMerkleProof } from "./index.js";

// Node-only: a million node:crypto digests are quick here and too slow to be worth it in Chromium.
const N = 1_000_000;

describe("a 1,000,000-leaf tree", () => {
  const digests: Uint8Array[] = [];
  for (let i = 0; i < N; i++) digests.push(new Uint8Array(createHash("sha256").update(`chunk-${i}`).digest()));

  it("has the same root from the streaming builder and from MerkleTree, and proofs that verify", () => {
    const tree = MerkleTree.fromDigests(digests);
    const builder = createMerkleBuilder();
    for (const d of digests) builder.append(d);
    const root = tree.root;
    expect(Buffer.from(builder.root()).toString("hex")).toBe(Buffer.from(root).toString("hex"));
    expect(builder.leafCount).toBe(N);

    // 2^19 < 1,000,000 < 2^20: 20 levels for the first leaf; the last leaf sits in the rightmost,
    // ragged part of the tree, where levels are skipped.
    expect(tree.proof(0).path).toHaveLength(20);
    for (const i of [0, 1, 524_287, 524_288, 999_998, N - 1]) {
      const proof = tree.proof(i);
      expect(verifyMerkleProof(digests[i] as Uint8Array, proof, root), `leaf ${i}`).toBe(true);
      expect(verifyMerkleProof(digests[(i + 1) % N] as Uint8Array, proof, root)).toBe(false);
    }

    const back = MerkleTree.deserialize(tree.serialize());
    expect(back.ok && Buffer.from(back.value.root).equals(Buffer.from(root))).toBe(true);
  });
});
