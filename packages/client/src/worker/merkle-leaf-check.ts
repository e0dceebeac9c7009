import { verifyMerkleProof } from "@cyxwiz/protocol/merkle";

/** Chunk indices are u32 (MAX_CHUNKS): no tree this protocol builds is deeper than 33 levels. */
const MAX_SHAPE_BITS = 33;

/**
 * Whether `digest` is leaf `index` of a tree with root `root`, by the audit path that came with the
 * chunk, for a tree size the worker is not told (an Assignment names the root, not the version's
 * chunk count).
 *
 * An RFC 9162 §2.1.3.2 audit path's shape for a leaf depends on the tree size n only through
 * K = bit length of (index XOR (n-1)): the levels from K up are where the node is the last of its
 * level. So trying one size per K (at most 34) is exactly "the proof holds for some n > index",
 * the check verifyMerkleProof makes for a known n. The index stays bound by the chunk key and
 * nonce for encrypted data (docs/crypto.md); the version's chunk count in the Assignment would
 * pin it for plain data too.
 */
export function leafProofHolds(
  digest: Uint8Array,
  index: number,
  path: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  for (const leafCount of leafCountShapes(index)) {
    if (verifyMerkleProof(digest, { index, leafCount, path }, root)) return true;
  }
  return false;
}

/** One tree size per audit-path shape of leaf `index` (see {@link leafProofHolds}). */
export function leafCountShapes(index: number): number[] {
  const sizes = [index + 1];
  for (let k = 1; k <= MAX_SHAPE_BITS; k++) {
    const half = 2 ** (k - 1);
    if (Math.floor(index / half) % 2 !== 0) continue; // bit k-1 of n-1 must be 1 where index has 0
    sizes.push(Math.floor(index / 2 ** k) * 2 ** k + half + 1);
  }
  return sizes;
}
